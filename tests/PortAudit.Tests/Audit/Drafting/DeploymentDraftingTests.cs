using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Report.Listings;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Audit.Drafting;

/// <summary>
/// What a draft takes from the deployment as a whole, on built hosts: which organisations its hosts are named in (a
/// partner's Edge is none of ours), and the peers' drafts ordering the sets a host's own evidence leaves tied.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class DeploymentDraftingTests
{
    private static readonly RoleEvidenceIndex Index = new(ScenarioAudit.RepositoryCatalog);

    private static HostEvidence Named(string address, params string[] names) =>
        new(IpAddr.Parse(address), [], [], [], names.Select(n => new HostName(n, "tls-sni")).ToList(), []);

    [Theory]
    [InlineData("sip.contoso.com", "contoso")]
    [InlineData("dc01.corp.contoso.local.", "contoso")]
    [InlineData("www.contoso.co.uk", "contoso")]
    [InlineData("*.fabrikam.com", "fabrikam")]
    [InlineData("ldap/dc01.contoso.com", "contoso")]
    [InlineData("contoso.com", "contoso")]
    [InlineData("mail.example.com.au", "example")]
    [InlineData("dc01", null)]
    [InlineData("192.0.2.1", null)]
    [InlineData("a..com", null)]
    public void A_name_belongs_to_the_label_left_of_its_public_suffix(string name, string? organisation) =>
        Assert.Equal(organisation, OwnDomains.Organisation(name));

    [Fact]
    public void An_Internet_host_named_only_in_other_organisations_domains_is_marked_and_ours_is_not()
    {
        var hosts = OwnDomains.Mark([
            Named("10.30.1.10", "pool01.contoso.com"),
            Named("192.0.2.20", "sip.contoso.com"),            // our Edge: a name in our organisation
            Named("198.51.100.40", "sip.fabrikam.com"),        // the partner's Edge
            Named("198.51.100.41", "sip.fabrikam.com", "access.contoso.com"),
            Named("203.0.113.9"),                               // no name: nothing says whose it is
            new HostEvidence(IpAddr.Parse("203.0.113.10"), [], [], [], [new HostName("gunnar", "netbios")], []),
        ]);

        Assert.Equal([false, false, true, false, false, false], hosts.Select(h => h.OtherOrganisation));
    }

    [Fact]
    public void Without_names_of_our_own_no_host_is_another_organisations()
    {
        // Private hosts without DNS names say nothing of which organisations are ours.
        var hosts = OwnDomains.Mark([Named("10.30.1.10"), Named("198.51.100.40", "sip.fabrikam.com")]);

        Assert.All(hosts, h => Assert.False(h.OtherOrganisation));
    }

    [Fact]
    public void A_partners_Edge_is_drafted_a_partner_and_a_server_of_another_organisation_without_partner_evidence_is_left_unlisted()
    {
        // The partner's Edge both answers our Edge's federation and calls it: the Edge's own rules fit it as well as ours.
        ServedService sip = new(Transport.Tcp, 5061, 6, [AppLabel.Tls]) { InternetFlows = 6 };
        var edge = new HostEvidence(IpAddr.Parse("198.51.100.40"), [sip], [sip], [], [new HostName("sip.fabrikam.com", "tls-sni")], []);
        Assert.Contains("lync-edge-external", RoleSetModel.Default.Suggest(edge, Index, 1).Single().Roles);

        var partner = edge with { OtherOrganisation = true };
        Assert.Equal(["federated-partner"], RoleSetModel.Default.Suggest(partner, Index, 1).Single().Roles);

        // Another organisation's web server, which only answered: no partner role, so the draft leaves it out.
        ServedService web = new(Transport.Tcp, 443, 6, [AppLabel.Tls]) { InternetFlows = 6 };
        var proxy = new HostEvidence(IpAddr.Parse("198.51.100.80"), [web], [], [], [], []);
        Assert.NotEmpty(RoleSetModel.Default.Suggest(proxy, Index, 1));
        Assert.Empty(RoleSetModel.Default.Suggest(proxy with { OtherOrganisation = true }, Index, 1, out bool unlisted));
        Assert.True(unlisted);
    }

    [Fact]
    public void Catalog_roles_of_other_organisations_hosts_are_the_partner_roles()
    {
        Assert.True(Index.IsPartner("federated-partner"));
        Assert.True(Index.IsPartner("xmpp-partner"));
        Assert.False(Index.IsPartner("lync-edge-external"));
    }

    [Fact]
    public void Sets_tied_first_are_ordered_by_the_peers_drafts_and_other_sets_stay_where_the_model_put_them()
    {
        var unity01 = IpAddr.Parse("10.20.1.10");
        var dc01 = IpAddr.Parse("10.20.3.10");
        // A Unity failover partner: SMB both ways with the other Unity server, the directory at the domain controller.
        var host = new HostEvidence(IpAddr.Parse("10.20.1.11"),
            [new ServedService(Transport.Tcp, 445, 4, [AppLabel.Smb]) { Peers = [unity01] }],
            [new ServedService(Transport.Tcp, 445, 4, [AppLabel.Smb]) { Peers = [unity01] }, new ServedService(Transport.Tcp, 389, 6, [AppLabel.Ldap]) { Peers = [dc01] }],
            [], [], []);
        IReadOnlyList<string> Peer(IpAddr a) => a == unity01 ? ["cisco-unity"] : a == dc01 ? ["domain-controller", "dns-server"] : [];
        RoleSetScore Set(string role, double p) => new([role], p, []);

        var tied = PeerTieBreak.Order(host, [Set("exchange-server", 0.2), Set("cisco-unity", 0.2), Set("workstation", 0.1)], Peer, Index);
        Assert.Equal(["cisco-unity", "exchange-server", "workstation"], tied.Select(s => s.Roles[0]));

        // A set the model ranked higher keeps its place, whatever its peers.
        var ranked = PeerTieBreak.Order(host, [Set("exchange-server", 0.3), Set("cisco-unity", 0.2)], Peer, Index);
        Assert.Equal(["exchange-server", "cisco-unity"], ranked.Select(s => s.Roles[0]));
    }

    [Fact]
    public void The_header_names_our_organisations_and_the_other_organisations_hosts_left_out_on_one_comment_line_each()
    {
        var draft = new InventoryDraft([], [])
        {
            OwnOrganisations = ["contoso", "evil\nhosts: [x]"],
            OtherOrganisations = Enumerable.Range(1, 14).Select(i => IpAddr.Parse($"198.51.100.{i}")).ToList(),
        };
        var text = new StringWriter();
        DraftInventoryWriter.Write(text, draft, null);
        var lines = text.ToString().Split('\n');

        Assert.Contains("# Organisations the internal hosts' DNS names name, taken as ours: contoso, evil hosts: [x]", lines);
        var others = Assert.Single(lines, l => l.Contains("other organisations' domains", StringComparison.Ordinal));
        Assert.StartsWith("# Left unlisted, in the external zone: 14 Internet addresses named only in other organisations' domains", others);
        Assert.EndsWith("198.51.100.12, ...", others);
        Assert.Equal("hosts:", lines.First(l => !l.StartsWith('#')));
    }

    [Fact]
    public void A_services_peers_are_kept_up_to_a_bound_and_merged_without_repeats()
    {
        var peers = Enumerable.Range(1, 40).Select(i => IpAddr.Parse($"10.0.0.{i}")).ToList();
        var merged = HostEvidence.MergeServices([
            new ServedService(Transport.Tcp, 445, 1, []) { Peers = peers.Take(10).ToList() },
            new ServedService(Transport.Tcp, 445, 1, []) { Peers = peers.Skip(5).Take(30).ToList() },
        ]);

        Assert.Equal(peers.Take(ServedService.MaxPeers), merged.Single().Peers);
    }
}
