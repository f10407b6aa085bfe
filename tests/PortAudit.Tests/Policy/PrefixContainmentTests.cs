using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// <see cref="PrefixContainment"/> answers what trying a rule's prefixes one by one answers, for prefixes and for hosts, in
/// both families, and makes rules on large object-groups cheap to compare and to match.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class PrefixContainmentTests
{
    // Prefixes near one another so that containment is frequent: v4 in 10.0.0.0/16, v6 in 2001:db8::/112, the two "any"s,
    // (unless told not to: a large group holding both would contain everything), and now and then a network with bits past its length (which contains nothing).
    private static IpPrefix RandomPrefix(Random random, bool any = true)
    {
        if (any && random.Next(50) == 0) return random.Next(2) == 0 ? new IpPrefix(IpAddr.Parse("0.0.0.0"), 96) : new IpPrefix(IpAddr.Parse("::"), 0);
        bool v4 = random.Next(3) != 0;
        var address = v4 ? IpAddr.Parse($"10.0.{random.Next(4)}.{random.Next(256)}") : IpAddr.Parse($"2001:db8::{random.Next(4)}:{random.Next(65536):x}");
        int length = v4 ? 96 + random.Next(14, 33) : random.Next(100, 129);
        return new IpPrefix(random.Next(20) == 0 ? address : IpPrefix.Mask(address, length), length);
    }

    [Theory]
    [InlineData(1, 20)]
    [InlineData(2, 300)]
    [InlineData(3, 3000)]
    public void A_lookup_per_length_answers_what_each_prefix_tried_in_turn_answers(int seed, int size)
    {
        var random = new Random(seed);
        var wide = new AddressMatch(Enumerable.Range(0, size).Select(_ => RandomPrefix(random, any: size < 1000)).ToList());
        int contained = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var narrow = RandomPrefix(random);
            bool expected = wide.Prefixes.Any(w => w.Contains(narrow));
            Assert.Equal(expected, PrefixContainment.AnyContains(wide, narrow));
            var host = IpPrefix.Single(narrow.Network);
            Assert.Equal(wide.Prefixes.Any(w => w.Contains(narrow.Network)), wide.Match(narrow.Network) == MatchResult.Yes);
            Assert.Equal(wide.Prefixes.Any(w => w.Contains(host)), PrefixContainment.AnyContains(wide, host));
            if (expected) contained++;
        }
        Assert.InRange(contained, 100, 19_900);
    }

    [Fact]
    public async Task Entries_on_two_large_object_groups_are_compared_by_lookup()
    {
        // 500 ASA entries on two 4,000-host object-groups (the same hosts, listed in opposite orders): trying prefix against
        // prefix, each comparison was 8·10^6 containment tests, the audit with them 85 s.
        var hosts = Enumerable.Range(0, 4000).Select(i => $" network-object host 10.1.{i / 256}.{i % 256}\n").ToList();
        var text = new System.Text.StringBuilder("object-group network G0\n").AppendJoin("", hosts).Append("object-group network G1\n");
        text.AppendJoin("", Enumerable.Reverse(hosts));
        for (int i = 0; i < 500; i++) text.Append($"access-list outside_in extended permit tcp object-group G{i % 2} host 10.77.0.5 eq {1000 + i % 3}\n");
        var rules = AsaParser.Parse(text.Append("access-group outside_in in interface outside\n").ToString(), "groups.cfg").Chain("outside_in")!.Rules;

        var shadowing = await TimeBound.Within(TimeSpan.FromSeconds(20), "still comparing rules", () => ShadowIndex.Shadowing(rules));
        Assert.Null(shadowing[2]);
        Assert.Same(rules[0], shadowing[3]);
        Assert.Equal(497, shadowing.Count(r => r is not null));
    }
}
