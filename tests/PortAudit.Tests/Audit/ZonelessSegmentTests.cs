using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A segment without a zone names addresses for reports but places none in a zone: the hosts in it keep the zone of
/// the most specific zoned segment holding them, else their address's default, and the inventory says so in a warning.
/// A catch-all 0.0.0.0/0 without a zone once made every host outside the zoned segments external, and turned a site's
/// internal flows unexpected without a word.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ZonelessSegmentTests
{
    private static readonly RoleCatalog ZonedCatalog = new(
        [new Role("workstation", "w"), new Role("domain-controller", "d"), new Role("edge", "e")],
        [],
        [
            MakeRule("dc-ldap", "any@internal", "domain-controller", 389, 389, "ldap"),
            MakeRule("edge-external", "any@external", "edge", 443, 443, "tls"),
        ]);

    private const string ZonedInventory = """
        segments:
          - name: lan
            cidrs: [10.0.0.0/8]
            zone: internal
          - name: dmz
            cidrs: [172.16.0.0/16]
            zone: perimeter
          - name: dmz-servers
            cidrs: [172.16.1.0/24]
        hosts:
          - name: dc01
            addresses: [10.0.1.10]
            roles: [domain-controller]
          - name: branch-ws
            addresses: [192.168.5.10]
            roles: [workstation]
          - name: edge01
            addresses: [172.16.1.5]
            roles: [edge]
          - name: partner-ws
            addresses: [198.51.100.7]
            roles: [workstation]
        """;

    private const string CatchAll = """
          - name: everything
            cidrs: [0.0.0.0/0]
        """;

    // The catch-all goes right after 'segments:', so both inventories differ by that segment alone.
    private static readonly string WithCatchAll = ZonedInventory.Replace("segments:\n", "segments:\n" + CatchAll + "\n");

    private static readonly string[] Addresses = ["10.0.1.10", "192.168.5.10", "172.16.1.5", "198.51.100.7", "192.168.9.9", "8.8.8.8", "172.16.1.99"];

    [Fact]
    public void ACatchAllWithoutAZoneChangesTheZoneOfNoHostAndNoAddress()
    {
        var without = LoadInventory(ZonedInventory, ZonedCatalog);
        var with = LoadInventory(WithCatchAll, ZonedCatalog);

        Assert.Equal(4, with.Segments.Count);
        foreach (var host in with.Hosts)
            Assert.Equal(without.ZoneOf(without.Hosts.Single(h => h.Name == host.Name)), with.ZoneOf(host));
        foreach (var address in Addresses)
            Assert.Equal(without.ZoneOf(IpAddr.Parse(address)), with.ZoneOf(IpAddr.Parse(address)));
        Assert.Equal("internal", with.ZoneOf(with.Hosts.Single(h => h.Name == "branch-ws")));
        Assert.Equal("external", with.ZoneOf(with.Hosts.Single(h => h.Name == "partner-ws")));
    }

    [Fact]
    public void AZonelessSegmentInsideAZonedOneTakesTheEnclosingZone()
    {
        var inventory = LoadInventory(ZonedInventory, ZonedCatalog);

        // 172.16.0.0/12 is private use, so its default would be internal: the enclosing dmz says perimeter.
        Assert.Equal("perimeter", inventory.ZoneOf(inventory.Hosts.Single(h => h.Name == "edge01")));
        Assert.Equal("perimeter", inventory.ZoneOf(IpAddr.Parse("172.16.1.99")));
    }

    [Fact]
    public void FlowsAreJudgedInTheZonesTheHostsWouldHaveHadWithoutTheCatchAll()
    {
        var auditor = new FlowAuditor(AuditContext.Create(ZonedCatalog, LoadInventory(WithCatchAll, ZonedCatalog)));

        var branch = auditor.Audit(Established("192.168.5.10", "10.0.1.10", 389));
        Assert.Equal(Verdict.Expected, branch.Verdict);
        Assert.Equal("internal", branch.Client.Zone);
        var stranger = auditor.Audit(Established("192.168.9.9", "10.0.1.10", 389));
        Assert.Equal("internal", stranger.Client.Zone);
        Assert.Equal("(unmapped:everything)", stranger.Client.RoleLabel);
        var internet = auditor.Audit(Established("8.8.8.8", "172.16.1.5", 443));
        Assert.Equal(Verdict.Expected, internet.Verdict);
        Assert.Equal("external", internet.Client.Zone);
    }

    [Fact]
    public void EverySegmentWithoutAZoneIsNamedInAWarning()
    {
        var with = LoadInventory(WithCatchAll, ZonedCatalog);

        Assert.Equal(2, with.Warnings.Count);
        Assert.StartsWith("segment 'everything' (0.0.0.0/0) has no zone", with.Warnings[0]);
        Assert.StartsWith("segment 'dmz-servers' (172.16.1.0/24) has no zone", with.Warnings[1]);
        Assert.Empty(LoadInventory(ZonedInventory.Replace("    cidrs: [172.16.1.0/24]\n", "    cidrs: [172.16.1.0/24]\n    zone: perimeter\n"), ZonedCatalog).Warnings);
    }
}
