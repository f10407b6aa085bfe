using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Audit.Drafting;

/// <summary>
/// How the role-set model chooses, on built hosts: a global catalog only on its evidence, a role no labelled host had
/// judged by its catalog rules (the catalog model) for a host that served something, and by the fitted model alone for
/// one that served nothing.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RoleSetDraftingTests
{
    private static readonly RoleEvidenceIndex Index = new(ScenarioAudit.RepositoryCatalog);

    private static HostEvidence Host(IReadOnlyList<ServedService> served, IReadOnlyList<ServedService> initiated) =>
        new(IpAddr.Parse("10.9.9.9"), served, initiated, [], [], []);

    private static ServedService Tcp(int port) => new(Transport.Tcp, port, 1, []);

    [Fact]
    public void GlobalCatalogIsDraftedOnlyWhenEvidenceNamesIt()
    {
        var directory = Host([Tcp(389), Tcp(88), new ServedService(Transport.Udp, 53, 1, [])], []);

        var unasked = RoleSetModel.Default.Rank(directory, Index, top: 100);
        var asked = RoleSetModel.Default.Rank(directory with { Attempted = [Tcp(3268)] }, Index, top: 100);

        Assert.NotEmpty(unasked);
        Assert.DoesNotContain(unasked, s => s.Roles.Contains("global-catalog"));
        Assert.All(asked, s => Assert.Contains("global-catalog", s.Roles));
    }

    [Fact]
    public void RoleNoLabelledHostHadIsJudgedByItsRulesWhenTheHostServes()
    {
        // The fitted model knows one set and weighs nothing; the catalog model weighs what the rules explain of what was served.
        var names = RoleSetFeatures.Names;
        var model = new RoleSetModel(new double[names.Length], names.Select(n => n == "served-explained" ? 5.0 : 0).ToArray(),
            [new KnownRoleSet(["dns-server", "domain-controller"], 5)], new RoleProfiles(new Dictionary<string, int>()));

        var server = model.Rank(Host([Tcp(2000)], []), Index, top: 100);
        var client = model.Rank(Host([], [Tcp(2000)]), Index, top: 100);

        Assert.Equal(["cucm"], server[0].Roles);
        Assert.True(server[0].Probability > 2 * server.Single(s => s.Roles.SequenceEqual(["dns-server", "domain-controller"])).Probability);
        // Served nothing: the fitted model alone, which ranks every candidate alike.
        Assert.All(client, s => Assert.Equal(client[0].Probability, s.Probability, 9));
    }

    [Fact]
    public void SetsAreRankedWithTheRolesTheyImplyAndComparedWrittenShortest()
    {
        var frontEnd = Host([Tcp(5061), Tcp(444)], []);

        var ranked = RoleSetModel.Default.Rank(frontEnd, Index, top: 100);

        Assert.All(ranked.Where(s => s.Roles.Contains("lync-front-end")), s => Assert.Contains("lync-server", s.Roles));
        Assert.DoesNotContain(ranked, s => s.Roles.SequenceEqual(["lync-front-end"]));
        Assert.Equal(["lync-cms"], Index.Minimal(["lync-server", "lync-front-end", "lync-cms"]));
    }

    [Fact]
    public void SetsTheCatalogCannotTellApartAreOrderedByHowOftenInventoriesUsedThem()
    {
        // The catalog writes the A/V Edge's rules with the one-address external interface: MS-TURN on 443 (its pseudo-TLS
        // opening, labelled stun) and STUN 3478 from the Internet are explained alike by both. Inventories used the
        // external interface; nothing weighs but the catalog.
        var names = RoleSetFeatures.Names;
        var catalogWeights = names.Select(n => n == "served-explained" ? 5.0 : 0).ToArray();
        var model = new RoleSetModel(new double[names.Length], catalogWeights,
            [new KnownRoleSet(["lync-edge-external"], 2)], new RoleProfiles(new Dictionary<string, int>()));
        var edge = new HostEvidence(IpAddr.Parse("172.20.0.20"),
            [new(Transport.Tcp, 443, 3, [AppLabel.Stun]) { InternetFlows = 3 }, new(Transport.Udp, 3478, 3, [AppLabel.Stun]) { InternetFlows = 3 }], [], [], [], []);

        var ranked = model.Rank(edge, Index, top: 100);
        var unlabelled = new RoleSetModel(new double[names.Length], catalogWeights, [], new RoleProfiles(new Dictionary<string, int>())).Rank(edge, Index, top: 100);

        Assert.Equal(["lync-edge-external"], ranked[0].Roles);
        Assert.True(Probability(ranked, "lync-edge-external") > 2 * Probability(ranked, "lync-av-edge"));
        // With no inventory to tell them apart, the two stay tied.
        Assert.Equal(Probability(unlabelled, "lync-edge-external"), Probability(unlabelled, "lync-av-edge"), 9);
    }

    private static double Probability(IReadOnlyList<RoleSetScore> ranked, string role) =>
        ranked.Single(s => s.Roles.SequenceEqual([role])).Probability;

    [Fact]
    public void AFrontEndNamedByItsSrvRecordMayBeTheCentralManagementStoreNoInventoryUsed()
    {
        // Named a Front End by _sipinternaltls; it pushes replicas to the Edge on 4443 and to servers on SMB 445.
        var frontEnd = new HostEvidence(IpAddr.Parse("10.77.0.10"), [new(Transport.Tcp, 5061, 4, [AppLabel.Tls])],
            [new(Transport.Tcp, 4443, 2, [AppLabel.Tls]), new(Transport.Tcp, 445, 2, [AppLabel.Smb])], [], [], ["_sipinternaltls._tcp.contoso.com"]);
        var names = RoleSetFeatures.Names;
        var model = new RoleSetModel(new double[names.Length], names.Select(n => n == "initiated-explained" ? 5.0 : 0).ToArray(),
            [new KnownRoleSet(["lync-front-end", "lync-server"], 3)], new RoleProfiles(new Dictionary<string, int>()));

        var ranked = model.Rank(frontEnd, Index, top: 100);

        Assert.Equal(["lync-cms", "lync-front-end", "lync-server"], ranked[0].Roles.Order(StringComparer.Ordinal));
        Assert.All(ranked, s => Assert.Contains("lync-front-end", s.Roles));
        // Without the replication it pushes, the role has no evidence and is no candidate.
        Assert.DoesNotContain(model.Rank(frontEnd with { Initiated = [] }, Index, top: 100), s => s.Roles.Contains("lync-cms"));
    }

    [Fact]
    public void AnInternetHostIsDraftedOnlyByRulesWithTheInternet()
    {
        // A public resolver the clients asked: a DNS server by the catalog, but the catalog leaves the Internet unlisted.
        ServedService[] dns = [new(Transport.Udp, 53, 12, [AppLabel.Dns])];
        var resolver = new HostEvidence(IpAddr.Parse("203.0.113.53"), dns, [], [], [], []);
        Assert.Empty(RoleSetModel.Default.Suggest(resolver, Index));
        Assert.NotEmpty(RoleSetModel.Default.Suggest(resolver with { Address = IpAddr.Parse("10.1.0.53") }, Index));

        // An XMPP partner's server connecting to the Edge: its one rule is with the Edge, a role the Internet reaches.
        var partner = new HostEvidence(IpAddr.Parse("198.51.100.7"), [], [new(Transport.Tcp, 5269, 2, [AppLabel.Xmpp]) { InternetFlows = 2 }], [], [], []);
        Assert.Equal(["xmpp-partner"], RoleSetModel.Default.Suggest(partner, Index, 1).Single().Roles);

        // The Edge's external interface, reached from the Internet: an any@external rule explains it.
        var edge = new HostEvidence(IpAddr.Parse("192.0.2.20"), [new(Transport.Tcp, 443, 5, [AppLabel.Tls]) { InternetFlows = 5 }, new(Transport.Udp, 3478, 5, [AppLabel.Stun]) { InternetFlows = 5 }], [], [], [], []);
        Assert.Contains("lync-edge-external", RoleSetModel.Default.Suggest(edge, Index, 1).Single().Roles);
    }

    [Fact]
    public async Task A_set_of_dozens_of_roles_counts_its_redundant_roles_without_trying_every_subset()
    {
        // 2^30 subsets would take minutes: past the bound, roles without evidence of their own count as redundant.
        var roles = Enumerable.Range(0, 30).Select(i => $"role-{i}").ToList();
        var fit = new RoleFit("role-0", [0], [], []);
        var context = new CandidateContext(Host([new ServedService(Transport.Tcp, 445, 1, [])], []),
            new Dictionary<string, RoleFit> { ["role-0"] = fit }, [], _ => 0, 1, _ => 0, (_, _) => 0, _ => 1, (_, _) => 0);

        // On a task, so that a regression fails here instead of holding the run for hours.
        double[] features = await Task.Run(() => RoleSetFeatures.Of(roles, context)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(29.0 / 30, features[Array.IndexOf(RoleSetFeatures.Names, "redundant-roles")], 6);
    }
}
