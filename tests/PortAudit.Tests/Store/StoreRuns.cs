using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Store;

namespace PortAudit.Tests.Store;

/// <summary>Runs into a store as <c>portaudit flows --store</c> makes them: the flow table's own port hint, no catalog.</summary>
internal static class StoreRuns
{
    /// <summary>
    /// Reads <paramref name="sources"/> into <paramref name="store"/> as <paramref name="sensor"/>, spooling under
    /// <paramref name="root"/>; only the flows <paramref name="selection"/> takes, when given.
    /// </summary>
    public static StoreWriteResult Ingest(StoreLocation store, string root, string sensor, IReadOnlyList<IFlowSource> sources,
        List<string> notices, TimeSpan? replayWait = null, IFlowSelection? selection = null) =>
        Ingest(new PostgresFlowStore(store), root, sensor, sources, notices, replayWait, selection);

    /// <summary>As the other overload, into a store of either engine (a DuckDB store spools nothing).</summary>
    public static StoreWriteResult Ingest(IFlowStore store, string root, string sensor, IReadOnlyList<IFlowSource> sources,
        List<string> notices, TimeSpan? replayWait = null, IFlowSelection? selection = null)
    {
        var settings = new StoreWriterSettings
        {
            Sensor = sensor, Inputs = sources.Select(s => s.Name).ToList(), SpoolPath = store.Spools ? Path.Combine(root, sensor + ".spool") : null,
            RetryInterval = TimeSpan.FromMilliseconds(100), ReplayWait = replayWait ?? TimeSpan.FromSeconds(30),
        };
        using var writer = store.OpenWriter(settings, n => { lock (notices) notices.Add(n); });
        new TrafficRun(new FlowTableOptions { Selection = selection }, writer).Read(sources);
        return writer.Complete();
    }
}
