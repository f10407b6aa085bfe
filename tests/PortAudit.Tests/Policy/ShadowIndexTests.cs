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
}
