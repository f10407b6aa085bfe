using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Two matches on one field of one rule both hold, as the kernel tests them: the rule matches what both allow (the
/// rulesets of the differential test against the kernel, in network namespaces with the real nft and iptables: what it asserts is what the kernel did).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SameFieldMatchTests
{
    private const string Nft = """
        table inet f {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            tcp dport 1-100 tcp dport != 22 accept
            ip saddr 10.99.1.0/24 ip saddr != 10.99.1.3 udp dport 53 accept
          }
        }
        """;

    // nft -j list ruleset of the same ruleset, loaded in the kernel.
    private const string NftJson = """
        {"nftables": [{"table": {"family": "inet", "name": "f", "handle": 1}},
        {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
        {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 2, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 3, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"range": [1, 100]}}}, {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.99.1.0", "len": 24}}}}, {"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.99.1.3"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}, {"accept": null}]}}]}
        """;

    private static PolicyQuery Query(byte protocol, string client, int port) => new(protocol, IpAddr.Parse(client), 50000, IpAddr.Parse("10.99.2.2"), port);

    public static TheoryData<string> Forms => ["nft", "nft-json"];

    private static FirewallPolicy Parse(string form) => form == "nft" ? NftTextParser.Parse(Nft, "e1.nft") : NftJsonParser.Parse(NftJson, "e1.json");

    [Theory]
    [MemberData(nameof(Forms))]
    public void Two_port_matches_of_an_nftables_rule_intersect(string form)
    {
        var policy = Parse(form);

        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 80), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 22), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 200), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 8080), PolicyPoint.Network).Decision);
        Assert.Equal("{1-21, 23-100}", policy.Chains.Single().Rules[1].DestinationPorts!.ToString());
        Assert.Empty(policy.Issues);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Two_address_matches_of_an_nftables_rule_intersect_and_the_rule_shows_both(string form)
    {
        var rule = Parse(form).Chains.Single().Rules[2];

        Assert.Equal(MatchResult.Yes, rule.Match(Query(IpProtocol.Udp, "10.99.1.2", 53)));
        Assert.Equal(MatchResult.No, rule.Match(Query(IpProtocol.Udp, "10.99.1.3", 53)));
        Assert.Equal(MatchResult.No, rule.Match(Query(IpProtocol.Udp, "10.99.7.2", 53)));
        // The policy-unjustified finding names the rule's source as this: the /24 less one address, not "!10.99.1.3".
        Assert.Equal("{10.99.1.0/31, 10.99.1.2, 10.99.1.4/30, 10.99.1.8/29, 10.99.1.16/28, 10.99.1.32/27, 10.99.1.64/26, 10.99.1.128/25}",
            rule.Source!.ToString());
    }

    [Fact]
    public void Iptables_dport_and_multiport_dports_intersect()
    {
        var policy = IptablesSaveParser.Parse("""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -p tcp -m tcp --dport 1:100 -m multiport --dports 22,80,200 -j ACCEPT
            COMMIT
            """, "i1.rules");

        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 80), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 200), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 50), PolicyPoint.Network).Decision);
    }

    [Fact]
    public void An_intersection_the_model_cannot_hold_makes_the_rule_one_that_may_match_named_at_its_line()
    {
        // An IPv6 /0 less 300 addresses is past the prefixes one match holds.
        string holes = string.Join(", ", Enumerable.Range(1, 300).Select(i => $"fd00:{i:x}::1"));
        var policy = NftTextParser.Parse($$"""
            table inet f {
              chain forward {
                type filter hook forward priority filter; policy drop;
                ip6 saddr ::/0 ip6 saddr != { {{holes}} } tcp dport 80 accept
              }
            }
            """, "wide.nft");

        var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("fd00:1::1"), 50000, IpAddr.Parse("fd00:2::2"), 80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Undecided, "inet f forward#1"), (verdict.Decision, verdict.DecidedBy));
        var issue = Assert.Single(policy.Issues);
        Assert.Equal(4, issue.Location.Line);
        Assert.StartsWith("ip6 saddr != ", issue.Construct, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_state_matches_intersect()
    {
        var policy = IptablesSaveParser.Parse("""
            *filter
            :FORWARD DROP [0:0]
            -A FORWARD -m state --state ESTABLISHED -m conntrack --ctstate NEW,ESTABLISHED -p tcp -j ACCEPT
            COMMIT
            """, "s.rules");

        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Tcp, "10.99.1.2", 80), PolicyPoint.Network).Decision);
    }
}
