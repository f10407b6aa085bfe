using PortAudit.Capture;
using PortAudit.Flows;

namespace PortAudit.Tests.Flows;

/// <summary>Runs the capture-to-flows stages in process and keeps every ended flow.</summary>
internal sealed class FlowRunner : IFlowObserver
{
    public List<Flow> Flows { get; } = new();

    public TrafficReader Reader { get; }

    public FlowTable Table { get; }

    /// <param name="options">Flow-table options; defaults when null.</param>
    /// <param name="stages">Observers that see each packet and ended flow before the runner keeps it (e.g. inspection).</param>
    public FlowRunner(FlowTableOptions? options = null, params IFlowObserver[] stages)
    {
        Table = new FlowTable(options ?? new FlowTableOptions(), [.. stages, this]);
        Reader = new TrafficReader(Table);
    }

    public static FlowRunner Run(params string[] paths)
    {
        var runner = new FlowRunner();
        runner.Reader.ReadAll(paths);
        return runner;
    }

    public static FlowRunner Run(byte[] capture, FlowTableOptions? options = null)
    {
        var runner = new FlowRunner(options);
        using (var reader = CaptureFile.Open("test.pcap", new MemoryStream(capture))) runner.Reader.Read(reader);
        runner.Table.Flush();
        return runner;
    }

    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    public void OnFlowEnd(Flow flow) => Flows.Add(flow);
}
