using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Cli;

/// <summary>
/// The one place that decides which stages observe the flow table and in what order, for every command that
/// reads traffic. Stages that enrich a flow (inspection) come first, so consumers (writers, the audit) see
/// each flow complete when it ends.
/// </summary>
public static class Pipeline
{
    /// <summary>A flow table feeding the enrichment stages, then <paramref name="consumers"/> in the order given.</summary>
    public static FlowTable CreateTable(FlowTableOptions options, params IFlowObserver[] consumers) =>
        new(options, [.. Stages(), .. consumers]);

    /// <summary>Reads <paramref name="paths"/> through a new table feeding <paramref name="consumers"/>; every flow has ended on return.</summary>
    public static (TrafficReader Reader, FlowTable Table) Read(FlowTableOptions options, IEnumerable<string> paths, params IFlowObserver[] consumers) =>
        Read(options, paths, showProgress: false, consumers);

    /// <summary>As <see cref="Read(FlowTableOptions, IEnumerable{string}, IFlowObserver[])"/>, with a progress bar on stderr when <paramref name="showProgress"/>.</summary>
    public static (TrafficReader Reader, FlowTable Table) Read(FlowTableOptions options, IEnumerable<string> paths, bool showProgress,
        params IFlowObserver[] consumers)
    {
        var table = CreateTable(options, consumers);
        var reader = new TrafficReader(table);
        if (showProgress) CaptureProgress.Run(reader, table, () => reader.ReadAll(paths));
        else reader.ReadAll(paths);
        return (reader, table);
    }

    private static IEnumerable<IFlowObserver> Stages() => [new InspectionEngine()];
}
