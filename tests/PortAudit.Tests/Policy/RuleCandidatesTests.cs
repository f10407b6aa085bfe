using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// <see cref="RuleCandidates"/> leaves out only rules that cannot match a connection, keeps chain order, and makes a big
/// chain's verdicts cheap.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RuleCandidatesTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Connections aimed at the rules: an address of a rule's source and destination prefixes (their network, or one past
    // it), one of its ports, in either family, with now and then a wholly random one.
    private static PolicyQuery QueryNear(PolicyRule rule, Random random)
    {
        IpAddr Near(AddressMatch? match, string otherwise)
        {
            if (match is not { Prefixes.Count: > 0 } || random.Next(6) == 0) return IpAddr.Parse(otherwise);
            var network = match.Prefixes[random.Next(match.Prefixes.Count)].Network;
            return random.Next(2) == 0 ? network : new IpAddr(network.High, network.Low + 1);
        }
        int Port(PortMatch? match) => match is { Ranges.Count: > 0 } ? match.Ranges[random.Next(match.Ranges.Count)].Low + random.Next(2) : random.Next(1, 65536);
        byte protocol = rule.Protocols is { Count: > 0 } p ? p[random.Next(p.Count)] : (byte)(random.Next(3) == 0 ? IpProtocol.Udp : IpProtocol.Tcp);
        return new PolicyQuery(protocol, Near(rule.Source, $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}"), Port(rule.SourcePorts),
            Near(rule.Destination, $"172.16.{random.Next(256)}.{random.Next(1, 255)}"), Port(rule.DestinationPorts));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void Every_rule_that_can_match_a_connection_is_a_candidate_in_chain_order(int seed, bool dense)
    {
        var chain = NftTextParser.Parse(BigRuleset.Nft(3000, seed, dense), "big.nft").Chains.Single(c => c.Hook == "input");
        var random = new Random(seed);
        var position = new Dictionary<PolicyRule, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < chain.Rules.Count; i++) position[chain.Rules[i]] = i;
        long matched = 0, left = 0;
        for (int q = 0; q < 3000; q++)
        {
            var query = QueryNear(chain.Rules[random.Next(chain.Rules.Count)], random);

            var candidates = RuleCandidates.Of(chain, query);

            var positions = candidates.Select(r => position[r]).ToList();
            Assert.Equal(positions.Order().Distinct(), positions);
            var set = candidates.ToHashSet(ReferenceEqualityComparer.Instance);
            foreach (var rule in chain.Rules)
            {
                if (rule.Match(query) == MatchResult.No) continue;
                matched++;
                Assert.True(set.Contains(rule), $"{rule.Id} ({rule}) matches {query} but is no candidate");
            }
            left += chain.Rules.Count - candidates.Count;
        }
        Assert.True(matched > 500, $"only {matched} rules matched the queries");
        Assert.True(left > 3000L * chain.Rules.Count * 9 / 10, $"only {left} rules left out");
    }

    [Fact]
    public async Task A_big_chain_judges_many_connections_in_seconds()
    {
        // base.pcap's 7,581 flows against the generated 20,000-rule ruleset took 21.4 s: every rule tried for every flow, and
        // every rule of the policy passed over for its NAT rules.
        var policy = NftTextParser.Parse(BigRuleset.Nft(20_000, 43, dense: false), "big.nft");
        var chain = policy.Chains.Single(c => c.Hook == "input");
        var random = new Random(5);
        var queries = Enumerable.Range(0, 30_000).Select(_ => QueryNear(chain.Rules[random.Next(chain.Rules.Count)], random)).ToList();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        int allowed = await TimeBound.Within(TimeSpan.FromSeconds(20), "still judging",
            () => queries.Count(q => PolicyEvaluator.Evaluate(policy, q).Decision == PolicyDecision.Allowed));
        output.WriteLine($"{queries.Count} connections judged in {clock.Elapsed.TotalSeconds:F2} s");
        Assert.InRange(allowed, 1000, 29_000);
    }
}
