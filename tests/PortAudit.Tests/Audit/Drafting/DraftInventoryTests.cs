using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Listings;
using PortAudit.Sources.Files;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Audit.Drafting;

[Trait(Tier.Name, Tier.Unit)]
public sealed class DraftInventoryTests : IDisposable
{
    private static readonly string Lab = SharedData.InRepository("captures/lab.pcapng");
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("portaudit-draft");

    [Fact]
    public void LabDraftAuditsWithTheVerdictsOfTheLabInventory()
    {
        var catalog = ScenarioAudit.RepositoryCatalog;
        var draft = Load(Write(null));

        var expected = ScenarioAudit.AuditFlows(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog), [Lab], "lab.yaml").Flows;
        var drafted = ScenarioAudit.AuditFlows(catalog, draft, [Lab], "draft").Flows;

        Assert.Equal(expected.Select(f => (f.Flow.Id, f.Verdict.Verdict)), drafted.Select(f => (f.Flow.Id, f.Verdict.Verdict)));
        Assert.Equal(4, draft.Hosts.Count);
        // Drafted as a Front End and a Lync server, written shortest: the Front End implies the other.
        Assert.Equal(["lync-front-end"], draft.Hosts.Single(h => h.Name == "fe").Roles);
    }

    [Fact]
    public void DraftMarksUncertainEntriesAndWritesEvidenceAsComments()
    {
        var text = File.ReadAllText(Write(null));

        Assert.Contains("# lync-front-end: serves tcp/5060 sip", text);
        Assert.Contains("# SRV: _sipinternaltls._tcp.palab.test", text);
        Assert.Contains("- name: fe", text);
        Assert.Equal(Load(Write(null)).Hosts.Count(h => text.Contains($"- name: {h.Name}  {DraftInventoryWriter.ReviewMark}")),
            text.Split('\n').Count(l => l.Contains(DraftInventoryWriter.ReviewMark)));
    }

    [Fact]
    public void MergeKeepsTheInventoryAndAddsOnlyTheHostsItLacks()
    {
        string existing = Path.Combine(_directory.FullName, "partial.yaml");
        File.WriteAllText(existing, """
            hosts:
              - name: frontend
                addresses: [10.77.0.10]
                roles: [lync-front-end]
                features: [federation]
            segments:
              - name: lab-outside
                cidrs: [10.77.0.128/25]
            features: []
            ignore: [10.77.0.255]
            """);
        var catalog = ScenarioAudit.RepositoryCatalog;

        var merged = Load(Write(InventoryLoader.Load(existing, catalog)));

        var frontEnd = Assert.Single(merged.Hosts, h => h.Prefixes.Any(p => p.ToString() == "10.77.0.10"));
        Assert.Equal("frontend", frontEnd.Name);
        Assert.Equal(["lync-front-end"], frontEnd.Roles);
        Assert.Equal(["federation"], frontEnd.Features);
        Assert.Equal(["lab-outside"], merged.Segments.Select(s => s.Name));
        Assert.Equal(["10.77.0.255"], merged.Ignore.Select(p => p.ToString()));
        Assert.Equal(["10.77.0.100", "10.77.0.20", "10.77.0.30"], merged.Hosts.Skip(1).SelectMany(h => h.Prefixes).Select(p => p.ToString()).Order());
    }

    [SharedDataFact(StunCapture)]
    public void InternetServersTheClientsUsedAreLeftUnlistedAndNamedInTheHeader()
    {
        // Google's STUN servers answered the clients' binding requests: an Edge's ports, but no rule with the Internet.
        string path = Write(null, SharedData.Path(StunCapture)!, out var draft);
        string text = File.ReadAllText(path);
        var inventory = Load(path);

        Assert.Contains(IpAddr.Parse("74.125.247.128"), draft.UnlistedInternet);
        Assert.DoesNotContain(inventory.Hosts, h => h.Prefixes.Any(p => p.Network == IpAddr.Parse("74.125.247.128")));
        Assert.Contains($"# Left unlisted, in the external zone: {draft.UnlistedInternet.Count} Internet addresses", text);
        Assert.Contains("74.125.247.128", text.Split('\n').Single(l => l.StartsWith("# Left unlisted", StringComparison.Ordinal)));
    }

    private const string StunCapture = "captures/stun.pcap";
    private const string BenchCapture = "bench/base.pcap";

    [SharedDataFact(BenchCapture)]
    public void ClientsOfTwoRoleSetsInOnePrefixGiveItToOneGroupAndTheDraftLoads()
    {
        // The bench capture's 192.168.1.0/24 holds plain clients and clients that reached only HTTPS and the endpoint
        // mapper: both sets had two members or more, and both groups were given the /24, which the loader refuses.
        var inventory = Load(Write(null, SharedData.Path(BenchCapture)!, out _));

        var groups = inventory.Hosts.Where(h => !h.Prefixes.Single().IsSingleAddress).ToList();
        Assert.Equal(groups.Count, groups.Select(h => h.Prefixes.Single()).Distinct().Count());
        Assert.True(IpPrefix.TryParse("192.168.1.0/24", out var lan, out _));
        var taken = Assert.Single(groups, h => h.Prefixes.Single() == lan);
        // The other set's clients there are listed one address each, with their own roles.
        Assert.Contains(inventory.Hosts, h => h.Prefixes.Single().IsSingleAddress && lan.Contains(h.Prefixes.Single())
            && !h.Roles.SequenceEqual(taken.Roles) && h.Name.StartsWith("host-192-168-1-", StringComparison.Ordinal));
    }

    private string Write(Inventory? merge) => Write(merge, Lab, out _);

    private string Write(Inventory? merge, string capture, out InventoryDraft draft)
    {
        (draft, _) = InventoryDraftRun.Draft(CaptureFileSource.Of([capture]), ScenarioAudit.RepositoryCatalog, merge, new FlowTableOptions());
        string path = Path.Combine(_directory.FullName, $"draft-{Guid.NewGuid():n}.yaml");
        using (var writer = new StreamWriter(path))
            DraftInventoryWriter.Write(writer, draft, merge);
        return path;
    }

    private static Inventory Load(string path) => InventoryLoader.Load(path, ScenarioAudit.RepositoryCatalog);

    public void Dispose() => _directory.Delete(recursive: true);
}
