using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// The inventory's subnet broadcasts: each address maps to its prefix, the segment or host entry that gives it, and the
/// host entries inside it; /31, /32 and IPv6 prefixes have none.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class BroadcastDomainsTests
{
    private static IpAddr Address(string text) => IpAddr.TryParse(text, out var address) ? address : throw new ArgumentException(text);

    [Fact]
    public void ASegmentsBroadcastNamesItsPrefixAndTheHostsInsideIt()
    {
        var domains = new BroadcastDomains(LoadInventory("""
            hosts:
              - name: dc01
                addresses: [10.0.1.10]
                roles: [domain-controller]
              - name: clients
                cidrs: [10.0.1.128/26]
                roles: [workstation]
              - name: far
                addresses: [10.0.2.10]
                roles: [workstation]
            segments:
              - name: servers
                cidrs: [10.0.1.0/24]
            """));

        Assert.True(domains.TryFind(Address("10.0.1.255"), out var domain));
        Assert.Equal(("servers", "10.0.1.0/24"), (domain.Name, domain.Prefix.ToString()));
        Assert.Equal(["dc01", "clients"], domain.Hosts.Select(h => h.Name));
        // The host group's own broadcast, named by the group.
        Assert.True(domains.TryFind(Address("10.0.1.191"), out var group));
        Assert.Equal(("clients", 1), (group.Name, group.Hosts.Count));
        Assert.Equal(2, domains.Count);
    }

    [Fact]
    public void TwoPrefixesSharingABroadcastAddressKeepTheLongerOne()
    {
        // 10.0.0.0/23 and 10.0.1.0/24 both end at 10.0.1.255; the /24 reaches fewer hosts, so nothing is credited twice.
        var domains = new BroadcastDomains(LoadInventory("""
            hosts:
              - name: low
                addresses: [10.0.0.5]
                roles: [workstation]
              - name: high
                addresses: [10.0.1.5]
                roles: [workstation]
            segments:
              - name: wide
                cidrs: [10.0.0.0/23]
              - name: narrow
                cidrs: [10.0.1.0/24]
            """));

        Assert.True(domains.TryFind(Address("10.0.1.255"), out var domain));
        Assert.Equal("narrow", domain.Name);
        Assert.Equal(["high"], domain.Hosts.Select(h => h.Name));
    }

    [Theory]
    [InlineData("10.0.8.0/22", "10.0.11.255")]
    [InlineData("192.0.2.8/30", "192.0.2.11")]
    [InlineData("0.0.0.0/0", null)]        // the limited broadcast: an Internet segment's, not one subnet's
    [InlineData("224.0.0.0/4", null)]      // 239.255.255.255 is a multicast group
    [InlineData("192.0.2.0/31", null)]
    [InlineData("192.0.2.1", null)]
    [InlineData("2001:db8::/64", null)]
    public void TheBroadcastOfAPrefixIsItsAllOnesAddressUpToSlash30(string prefix, string? broadcast)
    {
        Assert.True(IpPrefix.TryParse(prefix, out var parsed, out _));
        bool found = BroadcastDomains.TryGetBroadcast(parsed, out var address);
        Assert.Equal(broadcast, found ? address.ToString() : null);
    }
}
