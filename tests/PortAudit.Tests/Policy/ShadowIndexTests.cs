using PortAudit.Policy;
using Xunit.Abstractions;

namespace PortAudit.Tests.Policy;

/// <summary>
/// <see cref="ShadowIndex"/> finds, for every rule, the same shadowing rule as trying every earlier rule in order (the
/// analysis it replaced, quadratic in the chain's length), over dense generated chains where rules cover each other often.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ShadowIndexTests(ITestOutputHelper output)
{
    private static PolicyRule? EveryEarlierRule(IReadOnlyList<PolicyRule> rules, int i) =>
        rules.Take(i).FirstOrDefault(e => e.IsTerminal && RuleRelations.SeesNewConnections(e) && RuleRelations.Covers(e, rules[i]));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void The_index_finds_the_same_shadowing_rule_as_trying_every_earlier_rule(int seed)
    {
        var policy = NftTextParser.Parse(BigRuleset.Nft(500, seed, dense: true), "dense.nft");
        var rules = policy.Chains.Single(c => c.Hook == "input").Rules;

        var indexed = ShadowIndex.Shadowing(rules);

        int shadowed = 0;
        for (int i = 0; i < rules.Count; i++)
        {
            Assert.Same(EveryEarlierRule(rules, i), indexed[i]);
            if (indexed[i] is not null) shadowed++;
        }
        output.WriteLine($"{rules.Count} rules, {shadowed} shadowed, {policy.Issues.Count} not understood, {rules.Count(r => r.Undecidable.Count > 0)} undecidable");
        Assert.InRange(shadowed, 50, rules.Count);
    }

    [Fact]
    public void A_sparse_chain_the_size_of_a_real_firewall_is_the_same_too()
    {
        var rules = NftTextParser.Parse(BigRuleset.Nft(2000, 43, dense: false), "sparse.nft").Chains.Single(c => c.Hook == "input").Rules;

        var indexed = ShadowIndex.Shadowing(rules);

        for (int i = 0; i < rules.Count; i++) Assert.Same(EveryEarlierRule(rules, i), indexed[i]);
        Assert.Contains(indexed, r => r is not null);
    }

    [Fact]
    public async Task A_chain_of_entries_between_the_same_two_hosts_is_not_tried_rule_against_rule()
    {
        // 16,000 ASA entries between the same two hosts, each on a port of its own, then the 5th again: indexed under their
        // shared source, each was tried against every earlier one (over 100 s); indexed where the fewest wait, under its port.
        var text = new System.Text.StringBuilder();
        for (int port = 1; port <= 16_000; port++) text.Append($"access-list outside_in extended permit tcp host 10.0.0.1 host 172.16.0.1 eq {port}\n");
        text.Append("access-list outside_in extended permit tcp host 10.0.0.1 host 172.16.0.1 eq 5\naccess-group outside_in in interface outside\n");
        var rules = AsaParser.Parse(text.ToString(), "plain.cfg").Chain("outside_in")!.Rules;

        await OnlyTheLastIsShadowed(rules, by: 4);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void Rules_indexed_where_the_fewest_wait_find_the_same_shadowing_rule(int seed)
    {
        // Rules sharing hosts and ports in every mix, so the index places them under all three.
        var random = new Random(seed);
        string[] sources = ["host 10.0.0.1", "10.0.0.0 255.255.255.0", "any", "host 10.0.0.2"];
        string[] destinations = ["host 172.16.0.1", "172.16.0.0 255.255.0.0", "any"];
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 1500; i++)
        {
            int low = random.Next(1, 400);
            string ports = random.Next(3) switch { 0 => $"eq {low}", 1 => $"range {low} {low + random.Next(0, 300)}", _ => "" };
            text.Append($"access-list outside_in extended {(random.Next(4) == 0 ? "deny" : "permit")} tcp {sources[random.Next(sources.Length)]} {destinations[random.Next(destinations.Length)]} {ports}\n");
        }
        var rules = AsaParser.Parse(text.Append("access-group outside_in in interface outside\n").ToString(), "mix.cfg").Chain("outside_in")!.Rules;

        var indexed = ShadowIndex.Shadowing(rules);

        for (int i = 0; i < rules.Count; i++) Assert.Same(EveryEarlierRule(rules, i), indexed[i]);
        Assert.InRange(indexed.Count(r => r is not null), 100, rules.Count);
    }

    [Theory]
    [InlineData("ip saddr {{ 10.0.0.1, 10.1.{0}.{1} }} ip daddr 10.9.0.2 tcp dport 80")]
    [InlineData("ip saddr 10.0.0.1 ip daddr 10.9.0.2 tcp sport {2} tcp dport 80")]
    public async Task Rules_sharing_their_first_source_destination_and_port_are_not_tried_rule_against_rule(string shape)
    {
        // 20,000 rules that share their first source prefix, destination and port and do not cover one another (a second
        // source of their own; a source port of their own), then the 7th again: looking under the first source prefix,
        // each was tried against every earlier one (55 s for the first shape).
        var text = new System.Text.StringBuilder("table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n");
        for (int i = 0; i < 20_000; i++) text.Append('\t').Append('\t').Append(string.Format(shape, i / 256, i % 256, 1024 + i)).Append(" accept\n");
        text.Append("\t\t").Append(string.Format(shape, 0, 6, 1030)).Append(" accept\n\t}\n}\n");
        var rules = NftTextParser.Parse(text.ToString(), "shared.nft").Chains.Single().Rules;

        await OnlyTheLastIsShadowed(rules, by: 6);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public void Rules_with_source_ports_and_address_sets_find_the_same_shadowing_rule(int seed)
    {
        // Sets of sources and destinations in any order, source ports or none: every place of the index and every choice
        // of where a rule looks.
        var random = new Random(seed);
        string[] addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.0/24", "10.0.0.0/16", "172.16.0.1", "172.16.0.0/16"];
        string Set(string side) => random.Next(4) switch
        {
            0 => "",
            1 => $"ip {side} {addresses[random.Next(addresses.Length)]} ",
            _ => $"ip {side} {{ {string.Join(", ", addresses.OrderBy(_ => random.Next()).Take(random.Next(2, 4)))} }} ",
        };
        string Ports(string side) => random.Next(3) switch
        {
            0 => "",
            1 => $"tcp {side} {random.Next(1, 40)} ",
            _ => $"tcp {side} {{ {string.Join(", ", Enumerable.Range(0, random.Next(2, 4)).Select(_ => random.Next(1, 40)).Distinct())} }} ",
        };
        var text = new System.Text.StringBuilder("table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n");
        for (int i = 0; i < 1500; i++)
            text.Append($"\t\t{Set("saddr")}{Set("daddr")}meta l4proto tcp {Ports("sport")}{Ports("dport")}{(random.Next(4) == 0 ? "drop" : "accept")}\n");
        var rules = NftTextParser.Parse(text.Append("\t}\n}\n").ToString(), "mix.nft").Chains.Single().Rules;

        var indexed = ShadowIndex.Shadowing(rules);

        for (int i = 0; i < rules.Count; i++) Assert.Same(EveryEarlierRule(rules, i), indexed[i]);
        Assert.InRange(indexed.Count(r => r is not null), 100, rules.Count);
    }
    [Theory]
    [InlineData("iifname \"eth{0}\"")]
    [InlineData("iifname \"eth{1}\" oifname \"eth{2}\"")]
    public async Task Rules_each_on_interfaces_of_their_own_are_not_tried_rule_against_rule(string interfaces)
    {
        // 20,000 rules between the same two hosts on the same port, each on an interface (or pair) of its own, then the 7th
        // again: none covers another, and all shared every prefix and port, so each was tried against every earlier one
        // (the lab audit with them took 16 s).
        string Rule(int i) => $"\t\t{string.Format(interfaces, i, i % 50, i / 50)} ip saddr 10.0.0.1 ip daddr 10.9.0.2 tcp dport 80 accept\n";
        var text = new System.Text.StringBuilder("table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n");
        for (int i = 0; i < 20_000; i++) text.Append(Rule(i));
        text.Append(Rule(6)).Append("\t}\n}\n");
        var rules = NftTextParser.Parse(text.ToString(), "interfaces.nft").Chains.Single().Rules;

        var took = await OnlyTheLastIsShadowed(rules, by: 6);
        output.WriteLine($"{rules.Count} rules in {took.TotalSeconds:F2} s");
        Assert.True(took < TimeSpan.FromSeconds(3), $"took {took.TotalSeconds:F1} s");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Rules_on_interfaces_or_on_any_find_the_same_shadowing_rule(int seed)
    {
        // Rules on no interface, an input, an output or both, among few prefixes and ports: every partition of the index and
        // every partition a rule looks in.
        var random = new Random(seed);
        string[] names = ["eth0", "eth1", "eth2"];
        string Interface(string side) => random.Next(3) == 0 ? "" : $"{side} \"{names[random.Next(names.Length)]}\" ";
        string[] addresses = ["10.0.0.1", "10.0.0.0/24", "172.16.0.1"];
        string Address(string side) => random.Next(3) == 0 ? "" : $"ip {side} {addresses[random.Next(addresses.Length)]} ";
        var text = new System.Text.StringBuilder("table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n");
        for (int i = 0; i < 1500; i++)
            text.Append($"\t\t{Interface("iifname")}{Interface("oifname")}{Address("saddr")}{Address("daddr")}tcp dport {random.Next(1, 6)} {(random.Next(4) == 0 ? "drop" : "accept")}\n");
        var rules = NftTextParser.Parse(text.Append("\t}\n}\n").ToString(), "interfaces.nft").Chains.Single().Rules;

        var indexed = ShadowIndex.Shadowing(rules);

        for (int i = 0; i < rules.Count; i++) Assert.Same(EveryEarlierRule(rules, i), indexed[i]);
        Assert.InRange(indexed.Count(r => r is not null), 100, rules.Count);
        Assert.Contains(rules, r => r.InInterface is not null && r.OutInterface is not null);
    }

    // Shadowing within 20 s (no rule tried against every earlier one), the last rule shadowed by rules[by] and no other:
    // how long it took.
    private static async Task<TimeSpan> OnlyTheLastIsShadowed(IReadOnlyList<PolicyRule> rules, int by)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var shadowing = await TimeBound.Within(TimeSpan.FromSeconds(20), "still comparing rules", () => ShadowIndex.Shadowing(rules));
        var took = started.Elapsed;
        Assert.Same(rules[by], shadowing[^1]);
        Assert.Equal(1, shadowing.Count(r => r is not null));
        return took;
    }
}
