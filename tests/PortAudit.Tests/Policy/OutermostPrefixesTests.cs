using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// The addresses of a rule side collapse to their outermost prefixes in one pass over a sorted list, family by family (an
/// IPv6 prefix never holds an IPv4 one), and each side is worked out once however many servers ask for it.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class OutermostPrefixesTests
{
    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var prefix, out var problem) ? prefix : throw new ArgumentException(problem);

    private static List<string> Outermost(params string[] prefixes) => OutermostPrefixes.Of(prefixes.Select(Prefix)).Select(p => p.ToString()).ToList();

    [Fact]
    public void Inner_and_repeated_prefixes_go_and_the_rest_is_ipv4_then_ipv6_by_network_and_length()
    {
        Assert.Equal(["10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "2001:db9::1"],
            Outermost("2001:db9::1", "10.1.2.3", "192.0.2.1", "10.0.0.0/8", "2001:db8::/32", "2001:db8:1::5", "10.0.0.0/8", "192.0.2.1"));
    }

    [Fact]
    public void Ipv6_any_keeps_every_ipv4_prefix_and_takes_every_ipv6_one()
    {
        // ::/0 sorts before the IPv4-mapped range and 2001:db8::1 after it: by family first, it still takes 2001:db8::1.
        Assert.Equal(["10.77.0.10", "10.77.0.100", "::/0"], Outermost("10.77.0.100", "::/0", "2001:db8::1", "10.77.0.10", "::1"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void One_pass_keeps_what_comparing_every_pair_keeps(int seed)
    {
        var random = new Random(seed);
        var prefixes = Enumerable.Range(0, 600).Select(_ => RandomPrefix(random)).ToList();

        var pairwise = prefixes.Distinct().Where(p => !prefixes.Any(o => o != p && o.Contains(p))).OrderBy(p => !p.IsV4).ThenBy(p => p.Network).ThenBy(p => p.Length);

        Assert.Equal(pairwise, OutermostPrefixes.Of(prefixes));
    }

    // Nested often: few networks, many lengths, both families, and the IPv6 prefixes that span the IPv4-mapped range.
    private static IpPrefix RandomPrefix(Random random)
    {
        if (random.Next(4) == 0)
        {
            int v6Length = random.Next(0, 129);
            var v6 = random.Next(3) == 0 ? new IpAddr(0, (ulong)random.NextInt64()) : new IpAddr(0x2001_0db8_0000_0000UL | (ulong)random.Next(4) << 16, (ulong)random.Next(16));
            return new IpPrefix(IpPrefix.Mask(v6, v6Length), v6Length);
        }
        int length = 96 + random.Next(0, 33);
        var v4 = IpAddr.FromV4(0x0A00_0000u | (uint)random.Next(1 << 10) << 14 | (uint)random.Next(4));
        return new IpPrefix(IpPrefix.Mask(v4, length), length);
    }

    private static readonly IReadOnlyList<Zone> Zones = Zone.Defaults;

    private static Inventory Inventory() => new(
        [
            new InventoryHost("client01", [Prefix("10.77.0.100")], ["workstation"]),
            new InventoryHost("v6-clients", [Prefix("::/0")], ["workstation"]),
            new InventoryHost("fe01", [Prefix("10.77.0.10"), Prefix("2001:db8::10")], ["lync-front-end"]),
        ], [], [], null, []);

    [Fact]
    public void Each_side_is_worked_out_once()
    {
        var sides = new RuleSideAddresses(Inventory(), Zones);

        Assert.Same(sides.Of("workstation").Named, sides.Of(new RuleSide(["workstation"])).Named);
        Assert.NotSame(sides.Of("workstation").Named, sides.Of(RuleSide.Any).Named);
    }
}
