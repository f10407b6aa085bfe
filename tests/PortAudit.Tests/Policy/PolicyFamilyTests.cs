using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A least-privilege rule matches one address family: an IPv6 host group (<c>::/0</c>) takes no IPv4 host out of the
/// policy, and is the IPv6 side of the rules it plays a role in.
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
}
