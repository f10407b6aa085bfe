using PortAudit.Audit.Triage;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Audit;

/// <summary>
/// IPv4 addresses are held IPv4-mapped (::ffff:a.b.c.d), inside the range an IPv6 prefix of /96 or shorter spans; still,
/// as for <see cref="System.Net.IPNetwork.Contains"/>, an IPv6 prefix holds no IPv4 address and an IPv4 one no IPv6
/// address: a host <c>::/0</c> must not take every IPv4 address of an audit.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class AddressFamilyTests
{
    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var prefix, out var problem) ? prefix : throw new ArgumentException(problem);

    private static IpAddr Address(string text) => IpAddr.Parse(text);

    [Theory]
    [InlineData("::/0", "10.77.0.100", false)]
    [InlineData("::/64", "10.77.0.100", false)]
    [InlineData("::/80", "192.0.2.1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("0.0.0.0/0", "10.77.0.100", true)]
    [InlineData("10.77.0.0/24", "10.77.0.100", true)]
    public void A_prefix_holds_addresses_of_its_own_family_only(string prefix, string address, bool contains) =>
        Assert.Equal(contains, Prefix(prefix).Contains(Address(address)));

    [Theory]
    [InlineData("::/0", "10.0.0.0/8", false)]
    [InlineData("::/0", "0.0.0.0/0", false)]
    [InlineData("::/0", "2001:db8::/32", true)]
    [InlineData("0.0.0.0/0", "10.0.0.0/8", true)]
    public void A_prefix_holds_prefixes_of_its_own_family_only(string outer, string inner, bool contains) =>
        Assert.Equal(contains, Prefix(outer).Contains(Prefix(inner)));

    [Fact]
    public void An_ipv6_catch_all_in_an_address_map_takes_no_ipv4_address()
    {
        var map = new AddressMap<string>();
        map.TryAdd(Prefix("::/0"), "v6 any", out _);
        map.TryAdd(Prefix("10.0.0.0/8"), "ten", out _);

        Assert.True(map.TryFind(Address("10.1.2.3"), out var ten));
        Assert.Equal("ten", ten);
        Assert.False(map.TryFind(Address("192.0.2.1"), out _));
        Assert.True(map.TryFind(Address("2001:db8::1"), out var v6));
        Assert.Equal("v6 any", v6);
    }

    private static readonly InventoryHost OnlyV6 = new("only6", [Prefix("::/0")], ["workstation"]);
    private static readonly InventoryHost Fe01 = new("fe01", [Prefix("10.77.0.10")], ["lync-front-end"]);

    private static Inventory Inventory(IReadOnlyList<InventorySegment>? segments = null, IReadOnlyList<IpPrefix>? ignore = null) =>
        new([Fe01, OnlyV6], segments ?? [], [], null, ignore ?? []);

    [Fact]
    public void An_inventory_host_of_ipv6_any_is_not_every_ipv4_address()
    {
        var inventory = Inventory();

        Assert.Null(inventory.FindHost(Address("10.77.0.100")));
        Assert.Same(Fe01, inventory.FindHost(Address("10.77.0.10")));
        Assert.Same(OnlyV6, inventory.FindHost(Address("2001:db8::5")));
    }

    [Fact]
    public void A_segment_of_ipv6_any_neither_holds_nor_zones_ipv4_addresses()
    {
        var internet6 = new InventorySegment("internet6", [Prefix("::/0")]) { Zone = Zone.External };
        var inventory = Inventory(segments: [internet6]);

        Assert.Null(inventory.FindSegment(Address("10.77.0.100")));
        Assert.Equal(Zone.Internal, inventory.ZoneOf(Address("10.77.0.100")));
        Assert.Equal(Zone.Internal, inventory.ZoneOf(Fe01));
        Assert.Same(internet6, inventory.FindSegment(Address("2001:db8::5")));
    }

    [Fact]
    public void Ignoring_ipv6_any_ignores_no_ipv4_flow()
    {
        var inventory = Inventory(ignore: [Prefix("::/0")]);

        Assert.False(inventory.IsIgnored(Address("10.77.0.100")));
        Assert.True(inventory.IsIgnored(Address("2001:db8::5")));
    }

    [Fact]
    public void A_suppression_for_ipv6_any_covers_no_ipv4_host()
    {
        var pattern = new PrefixPattern(Prefix("::/0"));
        IReadOnlyList<IpPrefix> Hosts(string name) => name == "fe01" ? Fe01.Prefixes : OnlyV6.Prefixes;

        Assert.False(pattern.Matches(new FindingEnd("fe01", []), Hosts));
        Assert.False(pattern.Matches(new FindingEnd("10.77.0.100", []), Hosts));
        Assert.True(pattern.Matches(new FindingEnd("only6", []), Hosts));
    }

    [Fact]
    public void A_policy_side_of_ipv6_any_and_ipv4_hosts_keeps_the_ipv4_hosts()
    {
        var (named, open) = new RuleSideAddresses(Inventory(), Zone.Defaults).Of(RuleSide.Any);

        Assert.False(open);
        Assert.Equal(["10.77.0.10", "::/0"], named.Select(p => p.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_ipv6_any_rule_does_not_shadow_an_ipv4_rule_after_it()
    {
        var policy = AsaParser.Parse("""
            access-list inside_in extended permit tcp any6 any eq 22
            access-list inside_in extended permit tcp host 10.0.0.1 any eq 22
            access-list inside_in extended permit tcp 2001:db8::/32 any eq 22
            access-group inside_in in interface inside
            """, "asa.cfg");
        var rules = policy.Rules.ToList();

        Assert.False(RuleRelations.Covers(rules[0], rules[1]));
        Assert.True(RuleRelations.Covers(rules[0], rules[2]));
        Assert.Equal([null, null, rules[0]], ShadowIndex.Shadowing(rules).Take(3));
    }
}
