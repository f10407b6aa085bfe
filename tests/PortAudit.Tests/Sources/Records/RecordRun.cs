using System.Text;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Tests.Flows;

namespace PortAudit.Tests.Sources.Records;

/// <summary>Reads sources through the library's run, as the CLI does, and keeps every flow and the run's summary.</summary>
internal sealed class RecordRun
{
    private RecordRun(List<Flow> flows, TrafficSummary summary)
    {
        Flows = flows;
        Summary = summary;
    }

    public List<Flow> Flows { get; }

    public TrafficSummary Summary { get; }

    public RecordStatistics Records => Summary.Records;

    public static RecordRun Of(params IFlowSource[] sources) => Of(new FlowTableOptions { InitialFlowCapacity = 256 }, sources);

    /// <summary>Reads <paramref name="sources"/> with <paramref name="options"/> (its server-port hint places the clients of paired records).</summary>
    public static RecordRun Of(FlowTableOptions options, params IFlowSource[] sources)
    {
        var collector = new FlowCollector();
        var run = new TrafficRun(options, collector);
        run.Read(sources);
        return new RecordRun(collector.Flows, run.Summary);
    }

    public static RecordRun File(string path, RecordFormat? format = null) => Of(new RecordFileSource(path, format));

    /// <summary>Text written to a temporary file and read as <paramref name="format"/> (detected when null).</summary>
    public static RecordRun Text(string text, RecordFormat? format = null) => Bytes(Encoding.UTF8.GetBytes(text), format);

    public static RecordRun Bytes(byte[] content, RecordFormat? format = null)
    {
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-records-{Guid.NewGuid():N}");
        System.IO.File.WriteAllBytes(path, content);
        try
        {
            return File(path, format);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    /// <summary>The flow's endpoints in canonical order with what each sent: equal for two sources that agree, whoever they call the client.</summary>
    public static string Canonical(Flow flow)
    {
        var key = FlowKey.Create(flow.Client, flow.ClientPort, flow.Server, flow.ServerPort, flow.Protocol, out bool clientIsLow);
        var (lowPackets, lowBytes, highPackets, highBytes) = clientIsLow
            ? (flow.PacketsToServer, flow.BytesToServer, flow.PacketsToClient, flow.BytesToClient)
            : (flow.PacketsToClient, flow.BytesToClient, flow.PacketsToServer, flow.BytesToServer);
        return $"{flow.Transport} {key.LowAddress}:{key.LowPort} sent {lowPackets}/{lowBytes}, {key.HighAddress}:{key.HighPort} sent {highPackets}/{highBytes}";
    }
}
