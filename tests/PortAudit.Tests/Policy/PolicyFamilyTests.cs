using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A least-privilege rule matches one address family, and its protocol must run over it: an IPv6 host group
/// (<c>::/0</c>) takes no IPv4 host out of the policy, ICMPv6 is written between IPv6 addresses only and ICMP between
/// IPv4 ones, and an instance with no address pair of its protocol's family is left out with a comment saying so.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class PolicyFamilyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string LabHosts = """
        hosts:
          - name: fe01
            addresses: [10.77.0.10]
            roles: [lync-front-end]
          - name: edge01
            addresses: [10.77.0.20]
            roles: [lync-edge-internal]
          - name: dc01
            addresses: [10.77.0.30]
            roles: [domain-controller, dns-server]
          - name: client01
            addresses: [10.77.0.100]
            roles: [workstation, lync-client]

        """;

    private const string V6Clients = """
          - name: v6-clients
            cidrs: ["::/0"]
            roles: [workstation, lync-client]

        """;

    private const string Ping6 = """
        rules:
          - id: site-ping6
            from: workstation
            to: lync-front-end
            transport: icmpv6
            icmp: [echo-request]
            required: false
          - id: site-ping
            from: workstation
            to: lync-front-end
            transport: icmp
            icmp: [echo-request]
            required: false

        """;

    private AuditContext Context(string inventory, string? localRules = null)
    {
        string path = _dir.File($"inventory{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, inventory);
        string? local = null;
        if (localRules is not null) File.WriteAllText(local = _dir.File($"local{Guid.NewGuid():N}.yaml"), localRules);
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"), local is null ? null : [local]);
        return AuditContext.Create(catalog, InventoryLoader.Load(path, catalog));
    }

    private string Nft(string inventory) => PolicyEmitter.Write(LeastPrivilege.For(Context(inventory)), "nftables");

    private LeastPrivilegePolicy Plan(string inventory, string? localRules = null) => LeastPrivilege.Plan(Context(inventory, localRules));

    private static string Nft(LeastPrivilegePolicy policy) => PolicyEmitter.Write(policy, "nftables");

    [Fact]
    public void An_ipv6_any_host_group_keeps_every_ipv4_rule()
    {
        var plain = Nft(LabHosts).Split('\n');
        var withV6 = Nft(LabHosts + V6Clients).Split('\n').ToHashSet();

        var lost = plain.Where(line => line.Contains("ip saddr", StringComparison.Ordinal) && !withV6.Contains(line)).ToList();
        Assert.Empty(lost);
        Assert.Contains(plain, line => line.Contains("ip daddr 10.77.0.30 udp dport 53", StringComparison.Ordinal));
    }

    [Fact]
    public void An_ipv6_any_host_group_is_the_ipv6_clients_of_a_dual_stack_server()
    {
        string dualStackDc = LabHosts.Replace("addresses: [10.77.0.30]", "addresses: [10.77.0.30, \"2001:db8::30\"]", StringComparison.Ordinal);
        var nft = Nft(dualStackDc + V6Clients);

        Assert.Contains("ip saddr { 10.77.0.10, 10.77.0.20, 10.77.0.30, 10.77.0.100 } ip daddr 10.77.0.30 udp dport 53 accept", nft, StringComparison.Ordinal);
        Assert.Contains("ip6 saddr ::/0 ip6 daddr 2001:db8::30 udp dport 53 accept", nft, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_only_client_of_an_ipv4_only_server_is_left_out_with_its_reason()
    {
        var policy = Plan(LabHosts + V6Clients);

        Assert.Contains(policy.Omitted, o => (o.CatalogRule, o.FromHost, o.ToHost) == ("unity-workstation-dns", "v6-clients", "dc01"));
        Assert.DoesNotContain(policy.Rules, r => r.FromHost == "v6-clients");
        Assert.Contains("# not emitted: unity-workstation-dns udp v6-clients -> dc01: the sides have no address family in common (",
            Nft(policy), StringComparison.Ordinal);
    }

    [Fact]
    public void Icmpv6_between_ipv4_only_hosts_is_left_out_with_a_comment()
    {
        var policy = Plan(LabHosts, Ping6);

        Assert.DoesNotContain(policy.Rules, r => r.Protocol == IpProtocol.IcmpV6);
        var omitted = Assert.Single(policy.Omitted);
        Assert.Equal(("site-ping6", "client01", "fe01"), (omitted.CatalogRule, omitted.FromHost, omitted.ToHost));
        var ping = Assert.Single(policy.Rules, r => r.CatalogRule == "site-ping");
        Assert.True(ping.From![0].IsV4 && ping.To![0].IsV4);
        foreach (string format in PolicyEmitter.Formats)
        {
            string text = PolicyEmitter.Write(policy, format);
            Assert.Contains("not emitted: site-ping6 icmpv6 client01 -> fe01: ICMPv6 runs over IPv6 only, and a side has no IPv6 address (",
                text, StringComparison.Ordinal);
            Assert.DoesNotContain("icmp6 host 10.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("protocol=icmpv6", text, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("icmpv6 type", Nft(policy), StringComparison.Ordinal);
    }

    [Fact]
    public void Icmp_of_each_version_goes_to_the_family_it_runs_over()
    {
        const string dualStack = """
            hosts:
              - name: fe01
                addresses: [10.77.0.10, "2001:db8::10"]
                roles: [lync-front-end]
              - name: client01
                addresses: [10.77.0.100, "2001:db8::100"]
                roles: [workstation, lync-client]

            """;
        var policy = Plan(dualStack, Ping6);

        var ping6 = Assert.Single(policy.Rules, r => r.CatalogRule == "site-ping6");
        Assert.Equal(["2001:db8::100"], ping6.From!.Select(p => p.ToString()));
        Assert.Equal(["2001:db8::10"], ping6.To!.Select(p => p.ToString()));
        var ping = Assert.Single(policy.Rules, r => r.CatalogRule == "site-ping");
        Assert.Equal(["10.77.0.100"], ping.From!.Select(p => p.ToString()));
        Assert.Empty(policy.Omitted);
        string nft = Nft(policy);
        Assert.Contains("ip6 saddr 2001:db8::100 ip6 daddr 2001:db8::10 icmpv6 type echo-request accept", nft, StringComparison.Ordinal);
        Assert.Contains("ip saddr 10.77.0.100 ip daddr 10.77.0.10 icmp type echo-request accept", nft, StringComparison.Ordinal);
        Assert.Contains("# IPv6, in --format ip6tables: site-ping6", PolicyEmitter.Write(policy, "iptables"), StringComparison.Ordinal);
    }

    [Fact]
    public void Icmp_between_ipv6_only_hosts_is_left_out()
    {
        const string v6Only = """
            hosts:
              - name: fe01
                addresses: ["2001:db8::10"]
                roles: [lync-front-end]
              - name: client01
                addresses: ["2001:db8::100"]
                roles: [workstation, lync-client]

            """;
        var policy = Plan(v6Only, Ping6);

        Assert.DoesNotContain(policy.Rules, r => r.Protocol == IpProtocol.Icmp);
        Assert.Contains(policy.Omitted, o => o.CatalogRule == "site-ping" && o.Reason.StartsWith("ICMP runs over IPv4 only", StringComparison.Ordinal));
        Assert.DoesNotContain("icmp type echo-request", Nft(policy), StringComparison.Ordinal);
    }
}
