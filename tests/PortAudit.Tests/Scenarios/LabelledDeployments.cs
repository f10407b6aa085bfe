using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;

namespace PortAudit.Tests.Scenarios;

/// <summary>One inventory entry and what the traffic showed of its addresses.</summary>
/// <param name="Entry">The entry (a host or a host group).</param>
/// <param name="Members">The evidence of each of its addresses the traffic showed.</param>
public sealed record LabelledEntry(InventoryHost Entry, IReadOnlyList<HostEvidence> Members)
{
    /// <summary>The entry as one training example: its addresses' evidence merged.</summary>
    public LabelledHost AsExample => new(HostEvidence.Merge(Members[0].Address, Members), Entry.Roles);
}

/// <summary>A deployment whose inventory is the ground truth of its traffic: a scenario of the suite, or a lab capture.</summary>
/// <param name="Name">Scenario name, or the lab capture's ("lab", "windows-lab").</param>
/// <param name="Entries">Every inventory entry the traffic showed at least one address of.</param>
/// <param name="RealCaptures">The real captures its traffic holds (as <see cref="Scenario.RealCaptures"/> names them).</param>
public sealed record LabelledDeployment(string Name, IReadOnlyList<LabelledEntry> Entries, IReadOnlyList<string> RealCaptures)
{
    /// <summary>
    /// True when the two share a real capture: the same hosts on the same wire (the lab capture is the internal side of
    /// lync-edge-site), so that one held out must not be judged by a model fitted on the other.
    /// </summary>
    public bool SharesTrafficWith(LabelledDeployment other) => RealCaptures.Intersect(other.RealCaptures).Any();

    /// <summary>Every address its traffic showed, in the inventory or not: the peers a draft orders ties by.</summary>
    public IReadOnlyList<HostEvidence> Hosts { get; init; } = [];
}

/// <summary>
/// The labelled deployments the role-set model is fitted and cross-validated on: the four scenarios of the suite and the
/// two lab captures, each with its inventory (captures/lab.yaml: tools/lab/lab.sh's Lync site, whose capture
/// lync-edge-site also holds; captures/windows-lab.yaml: tools/lab/windows-lab.sh's Samba AD domain, in no scenario),
/// each read once per test run through the drafting collectors.
/// </summary>
public static class LabelledDeployments
{
    // Lab captures and their inventories (the capture with .yaml), named as Scenario.RealCaptures names captures.
    private static readonly string[] LabCaptures = ["captures/lab.pcapng", "captures/windows-lab.pcapng"];
    private static readonly Lazy<IReadOnlyList<LabelledDeployment>> Deployments = new(Build);

    /// <summary>Every labelled deployment.</summary>
    public static IReadOnlyList<LabelledDeployment> All => Deployments.Value;

    /// <summary>
    /// <paramref name="deployments"/> as the groups of a cross-validation: their entries as training examples, deployments
    /// that share traffic (lync-edge-site and lab) one group, so that neither is judged by a model fitted on the other.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<LabelledHost>> Groups(IEnumerable<LabelledDeployment> deployments)
    {
        var groups = new List<List<LabelledDeployment>>();
        foreach (var deployment in deployments)
            if (groups.FirstOrDefault(g => g.Any(deployment.SharesTrafficWith)) is { } group) group.Add(deployment);
            else groups.Add([deployment]);
        return groups.Select(g => (IReadOnlyList<LabelledHost>)g.SelectMany(d => d.Entries).Select(e => e.AsExample).ToList()).ToList();
    }

    private static IReadOnlyList<LabelledDeployment> Build()
    {
        var catalog = ScenarioAudit.RepositoryCatalog;
        var deployments = ScenarioSuiteTests.All.Where(scenario => scenario.TeachesRoles).Select(scenario => Label(scenario.Name, scenario.RealCaptures,
            InventoryLoader.Load(SharedData.InRepository($"tests/PortAudit.Tests/Scenarios/Inventories/{scenario.Inventory}"), catalog),
            ScenarioAudit.WithCaptures(scenario, paths => Collect(paths)))).ToList();
        foreach (string capture in LabCaptures)
            deployments.Add(Label(Path.GetFileNameWithoutExtension(capture), [capture],
                InventoryLoader.Load(SharedData.InRepository(Path.ChangeExtension(capture, ".yaml")), catalog),
                Collect([SharedData.InRepository(capture)])));
        return deployments;
    }

    private static IReadOnlyList<HostEvidence> Collect(IReadOnlyList<string> paths) =>
        InventoryDraftRun.Collect(CaptureFileSource.Of(paths), ScenarioAudit.RepositoryCatalog, new FlowTableOptions()).Hosts;

    private static LabelledDeployment Label(string name, IReadOnlyList<string> realCaptures, Inventory inventory, IReadOnlyList<HostEvidence> hosts) => new(name,
        inventory.Hosts.Select(entry => new LabelledEntry(entry, hosts.Where(h => inventory.FindHost(h.Address) == entry).ToList()))
            .Where(e => e.Members.Count > 0).ToList(), realCaptures) { Hosts = hosts };
}
