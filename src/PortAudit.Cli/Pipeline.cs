using PortAudit.Flows;

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

    // The inspection engine joins here when it is merged.
    private static IEnumerable<IFlowObserver> Stages() => [];
}
