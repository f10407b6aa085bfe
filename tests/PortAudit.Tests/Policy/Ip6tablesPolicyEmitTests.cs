using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A dual-stack policy emitted for iptables and for ip6tables: each file holds the rules of its family, names each rule
/// of the other family in a comment line pointing to the other format, and reads back as what it holds.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class Ip6tablesPolicyEmitTests
{
    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var prefix, out var problem) ? prefix : throw new ArgumentException(problem);

    private static AllowRule Web(string from, string to) =>
        new("iis-web", "seed.md: 1", "*", "web", IpProtocol.Tcp, [Prefix(from)], [Prefix(to)], [new PortRange(443, 443)]);

    /// <summary>HTTPS over both families and ICMPv6 messages ip6tables names, and ones it does not (MLD, a type and code).</summary>
    internal static IReadOnlyList<AllowRule> DualStack() =>
    [
        Web("10.0.0.0/24", "10.0.0.1/32"),
        Web("2001:db8::/64", "2001:db8::1/128"),
        new("site-icmp6", "site rule local.yaml:2", "mon", "web", IpProtocol.IcmpV6, [Prefix("2001:db8::/64")], [Prefix("2001:db8::1/128")], [])
        {
            Icmp = [new(IpProtocol.IcmpV6, 128, -1), new(IpProtocol.IcmpV6, 135, -1), new(IpProtocol.IcmpV6, 130, -1), new(IpProtocol.IcmpV6, 1, 4)],
        },
    ];

    [Theory]
    [InlineData("iptables", false, "# IPv6, in --format ip6tables: iis-web: seed.md: 1\n", 1)]
    [InlineData("ip6tables", true, "# IPv4, in --format iptables: iis-web: seed.md: 1\n", 5)]
    public void Each_file_holds_its_family_and_points_to_the_other_for_the_rest(string format, bool ipv6, string pointer, int accepts)
    {
        string text = PolicyEmitter.Write(DualStack(), format);

        Assert.Contains(pointer, text, StringComparison.Ordinal);
        var read = PolicyLoader.Parse(text, $"emitted.{format}", PolicyFormat.Iptables);
        Assert.Empty(read.Issues);
        var rules = read.Rules.Where(r => r.Action == PolicyAction.Accept && r.States is null && r.InInterface is null).ToList();
        Assert.Equal(accepts, rules.Count);
        Assert.All(rules, r => Assert.Equal(!ipv6, r.Source!.Prefixes.Single().IsV4));
    }

    [Fact]
    public void Icmpv6_types_go_by_the_names_ip6tables_knows_and_by_number_otherwise()
    {
        string text = PolicyEmitter.Write(DualStack(), "ip6tables");

        foreach (string type in new[] { "echo-request", "neighbour-solicitation", "130", "1/4" })
            Assert.Contains($"-p icmpv6 --icmpv6-type {type} -m comment", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--icmp-type", text, StringComparison.Ordinal);
    }
}
