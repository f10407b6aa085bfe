using System.Collections.Concurrent;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;

namespace PortAudit.Tests.Scenarios;

/// <summary>One scenario audited: the report and every flow with its verdict.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Report">Findings, coverage and counts.</param>
/// <param name="Flows">Every flow with its verdict, in the order they ended.</param>
public sealed record ScenarioResult(Scenario Scenario, AuditReport Report, IReadOnlyList<(Flow Flow, FlowVerdict Verdict)> Flows);

/// <summary>
/// Audits scenarios in process, the way the audit command reads: the repository's catalog, the scenario's inventory,
/// every capture through one <see cref="TrafficRun"/> (inspection included) into a <see cref="FlowAuditor"/>. Each
/// scenario is audited once per test run and shared by the tests that judge it.
/// </summary>
public static class ScenarioAudit
{
    private const string SharedPrefix = "shared:";
    private static readonly Lazy<RoleCatalog> Catalog = new(() => CatalogLoader.Load(SharedData.InRepository("rules")));
    private static readonly ConcurrentDictionary<string, Lazy<ScenarioResult>> Results = new();

    /// <summary>The audit of <paramref name="scenario"/>, computed on first use.</summary>
    public static ScenarioResult Run(Scenario scenario) =>
        Results.GetOrAdd(scenario.Name, _ => new Lazy<ScenarioResult>(() => Audit(scenario))).Value;

    /// <summary>Path of a capture as scenarios name it: repository-relative, or "shared:" for ../shared.</summary>
    public static string CapturePath(string capture) =>
        capture.StartsWith(SharedPrefix, StringComparison.Ordinal)
            ? SharedData.Path(capture[SharedPrefix.Length..]) ?? throw new InvalidOperationException("no repository above the tests")
            : SharedData.InRepository(capture);

    /// <summary>True when every real capture of <paramref name="scenario"/> is present (../shared may be absent).</summary>
    public static bool HasCaptures(Scenario scenario) => scenario.RealCaptures.All(c => File.Exists(CapturePath(c)));

    /// <summary>The repository's catalog, loaded once.</summary>
    public static RoleCatalog RepositoryCatalog => Catalog.Value;

    /// <summary>Calls <paramref name="read"/> with the paths of every capture of <paramref name="scenario"/>, generated ones written to a temporary directory for the call.</summary>
    public static T WithCaptures<T>(Scenario scenario, Func<IReadOnlyList<string>, T> read)
    {
        var directory = Directory.CreateTempSubdirectory("portaudit-scenario");
        try
        {
            var paths = scenario.RealCaptures.Select(CapturePath).ToList();
            foreach (var generated in scenario.Generated)
            {
                string path = Path.Combine(directory.FullName, generated.Name);
                File.WriteAllBytes(path, generated.Build());
                paths.Add(path);
            }
            return read(paths);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Audits <paramref name="paths"/> in process against <paramref name="inventory"/>: the report and every flow with its verdict.</summary>
    public static (AuditReport Report, IReadOnlyList<(Flow Flow, FlowVerdict Verdict)> Flows) AuditFlows(
        RoleCatalog catalog, Inventory inventory, IReadOnlyList<string> paths, string name)
    {
        var context = AuditContext.Create(catalog, inventory);
        var recorder = new Recorder();
        var auditor = new FlowAuditor(context, recorder);
        var run = new TrafficRun(new FlowTableOptions { ServerPorts = context.ServerPorts }, auditor);
        run.Read(CaptureFileSource.Of(paths));
        if (run.Summary.Errors.Count > 0)
            throw new InvalidOperationException($"{name}: {string.Join("; ", run.Summary.Errors.Select(e => e.Message))}");
        return (auditor.Complete(), recorder.Flows);
    }

    private static ScenarioResult Audit(Scenario scenario)
    {
        var catalog = Catalog.Value;
        var inventory = InventoryLoader.Load(SharedData.InRepository($"tests/PortAudit.Tests/Scenarios/Inventories/{scenario.Inventory}"), catalog);
        var (report, flows) = WithCaptures(scenario, paths => AuditFlows(catalog, inventory, paths, scenario.Name));
        return new ScenarioResult(scenario, report, flows);
    }

    private sealed class Recorder : IAuditedFlowSink
    {
        public List<(Flow Flow, FlowVerdict Verdict)> Flows { get; } = [];

        public void Write(Flow flow, FlowVerdict verdict) => Flows.Add((flow, verdict));
    }
}
