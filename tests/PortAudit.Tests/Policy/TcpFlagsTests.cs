using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// TCP flag tests in nftables rules, in the forms nft list ruleset writes them: a mask whose flags and mask are lists
/// ("tcp flags syn / syn,ack" for "tcp flags &amp; (syn | ack) == syn"), its negation, and a set of flag combinations.
/// A flow record holds no flags, so each such rule may match, but the statements after it in the rule are read. The
/// ruleset was loaded with nft -f into a namespace router and connections from 10.99.1.2 sent through it to 10.99.2.2:
/// the kernel passed 88, 94, 96 and 101-109 but for 106 and 108, and nothing else; text and JSON as nft listed them.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TcpFlagsTests
{
    internal const string Tf1Text = """
        table inet f {
        	chain forward {
        		type filter hook forward priority filter; policy drop;
        		ct state established,related accept
        		tcp flags syn / syn,ack tcp dport 88 accept
        		tcp flags syn,ack / fin,syn,rst,ack tcp dport 90 accept
        		tcp flags != syn / syn,ack tcp dport 92 accept
        		tcp flags { syn | ack, syn } tcp dport 94 accept
        		tcp flags syn / fin,syn,rst,ack tcp dport 96 accept
        		tcp flags syn / syn,ack tcp dport 100 drop
        		tcp flags syn,ack / fin,syn,rst,ack tcp dport 102 drop
        		tcp flags != syn / syn,ack tcp dport 104 drop
        		tcp flags { syn | ack, syn } tcp dport 106 drop
        		tcp flags syn / fin,syn,rst,ack tcp dport 108 drop
        		tcp dport 100-109 accept
        	}
        }
        """;

    private const string Tf1Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "f", "handle": 1}}, {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 2, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 3, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "ack"]]}, "right": "syn"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 88}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst", "ack"]]}, "right": ["syn", "ack"]}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 90}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 5, "expr": [{"match": {"op": "!=", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "ack"]]}, "right": "syn"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 92}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": {"set": [{"|": ["syn", "ack"]}, "syn"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 94}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 8, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst", "ack"]]}, "right": "syn"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 96}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 9, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "ack"]]}, "right": "syn"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 100}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 10, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst", "ack"]]}, "right": ["syn", "ack"]}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 102}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 11, "expr": [{"match": {"op": "!=", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "ack"]]}, "right": "syn"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 104}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 13, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": {"set": [{"|": ["syn", "ack"]}, "syn"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 106}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 14, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst", "ack"]]}, "right": "syn"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 108}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 15, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"range": [100, 109]}}}, {"accept": null}]}}]}
        """;

    private static FirewallPolicy Parse(string form) =>
        form == "nft" ? NftTextParser.Parse(Tf1Text, "tf.nft") : NftJsonParser.Parse(Tf1Json, "tf.json");

    private static PolicyDecision Decide(FirewallPolicy policy, int port) =>
        PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port) { InInterface = "fvr1" },
            PolicyPoint.Network).Decision;

    public static TheoryData<string> Forms => ["nft", "nft-json"];

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_flag_mask_listed_with_lists_of_flags_leaves_the_ports_after_it_to_decide(string form)
    {
        var policy = Parse(form);

        Assert.Empty(policy.Issues);
        // The rules naming the port may match (a flow has no flags); the next port is none of theirs: the kernel's verdict.
        foreach (int port in new[] { 88, 90, 92, 94, 96, 100, 102, 104, 106, 108 })
            Assert.Equal(PolicyDecision.Undecided, Decide(policy, port));
        foreach (int port in new[] { 89, 91, 93, 95, 97 })
            Assert.Equal(PolicyDecision.Blocked, Decide(policy, port));
        foreach (int port in new[] { 101, 103, 105, 107, 109 })
            Assert.Equal(PolicyDecision.Allowed, Decide(policy, port));
    }

    [Fact]
    public void A_flag_mask_keeps_its_listed_text()
    {
        var rules = Parse("nft").Chains.Single().Rules;

        Assert.Equal("tcp flags syn,ack / fin,syn,rst,ack", rules[2].Undecidable.Single());
        Assert.Equal("tcp flags != syn / syn,ack", rules[3].Undecidable.Single());
    }

    // A set of combinations is shown as nft lists it, in both forms, not as its tokens ("syn,|,ack,syn"): a list of flags
    // ("syn,ack", any of them) is a different test.
    [Theory]
    [MemberData(nameof(Forms))]
    public void A_set_of_flag_combinations_keeps_its_listed_text(string form)
    {
        var rules = Parse(form).Chains.Single().Rules;

        Assert.Equal("tcp flags { syn | ack, syn }", rules[4].Undecidable.Single());
        Assert.Equal("tcp flags { syn | ack, syn }", rules[9].Undecidable.Single());
    }
}
