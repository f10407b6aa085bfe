using PortAudit.Capture;
using PortAudit.Flows;

namespace PortAudit.Tests.Flows;

/// <summary>Runs the capture-to-flows stages in process and keeps every ended flow.</summary>
internal sealed class FlowRunner : IFlowObserver
{
    public List<Flow> Flows { get; } = new();

    public TrafficReader Reader { get; }

    public FlowTable Table { get; }

    public FlowRunner(FlowTableOptions? options = null)
    {
        Table = new FlowTable(options ?? new FlowTableOptions(), this);
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
