using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Flows;

/// <summary>Runs the capture-to-flows stages in process and keeps every ended flow.</summary>
internal sealed class FlowRunner
{
    /// <summary>Defaults sized for a test's capture of a few flows; some tests make a runner per byte of a damaged file.</summary>
    private static readonly FlowTableOptions FewFlows = new() { InitialFlowCapacity = 256 };

    private readonly FlowCollector _collector = new();

    public List<Flow> Flows => _collector.Flows;

    public TrafficReader Reader { get; }

    public FlowTable Table { get; }

    /// <param name="options">Flow-table options; defaults, with room for a few flows up front, when null.</param>
    /// <param name="stages">Observers that see each packet and ended flow before the runner keeps it (e.g. inspection).</param>
    public FlowRunner(FlowTableOptions? options = null, params IFlowObserver[] stages)
    {
        Table = new FlowTable(options ?? FewFlows, [.. stages, _collector]);
        Reader = new TrafficReader(Table);
    }

    public static FlowRunner Run(params string[] paths)
    {
        var runner = new FlowRunner();
        runner.ReadFiles(paths);
        return runner;
    }

    /// <summary>Reads each file as file commands do (decoding on a second thread), then ends every flow; fails on a bad input.</summary>
    public void ReadFiles(params string[] paths)
    {
        foreach (var path in paths)
        {
            using var reader = CaptureFile.Open(path);
            Reader.ReadPipelined(reader);
        }
        Table.Flush();
    }

    /// <summary>Raw IP packets (link type 101), a second apart, read as one capture.</summary>
    public static FlowRunner RunIp(FlowTableOptions? options, params byte[][] ipPackets)
    {
        var builder = new PcapBuilder(linkType: 101);
        for (int i = 0; i < ipPackets.Length; i++) builder.Add(ipPackets[i], i);
        return Run(builder.Build(), options);
    }

    public static FlowRunner Run(byte[] capture, FlowTableOptions? options = null)
    {
        var runner = new FlowRunner(options);
        using (var reader = CaptureFile.Open("test.pcap", new MemoryStream(capture))) runner.Reader.Read(reader);
        runner.Table.Flush();
        return runner;
    }
}
