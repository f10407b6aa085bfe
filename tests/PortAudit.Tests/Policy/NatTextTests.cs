using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A translation read from <c>nft -j list ruleset</c> is named in the words <c>nft list ruleset</c> writes it: the two
/// listings below are nft 1.0.6's of one ruleset, loaded in a network namespace.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NatTextTests
{
    private const string Text = """
        table inet f {
        	chain pre {
        		type nat hook prerouting priority dstnat; policy accept;
        		tcp dport 8080 dnat ip to 10.0.0.5:8080
        		tcp dport 8081 dnat ip to 10.0.0.5
        		tcp dport 8082 dnat ip6 to [fd00::5]:80
        		tcp dport 8083 redirect to :8080
        		tcp dport 8084 redirect
        		tcp dport 8085 dnat ip to 10.0.0.5:8080-8090 random,persistent
        		tcp dport 8086 dnat ip to 10.0.0.5-10.0.0.9
        		tcp dport 8087 dnat ip to tcp dport map { 8087 : 10.0.0.1 }
        		tcp dport 8088 dnat ip to 10.0.0.0/30
        		tcp dport 8089 dnat ip to ip saddr map { 10.0.0.0/8 : 10.0.0.2 . 80 }
        		tcp dport { 8090, 8091 } dnat ip to tcp dport map { 8090 : 10.0.0.1, 8091 : 10.0.0.2 }
        	}

        	chain post {
        		type nat hook postrouting priority srcnat; policy accept;
        		oifname "x" masquerade
        		oifname "y" tcp dport 1 masquerade to :1000-2000 random
        		oifname "z" snat ip to 1.2.3.4
        		oifname "w" udp dport 2 snat ip to 1.2.3.4:100 fully-random
        	}
        }
        table ip g {
        	chain pre {
        		type nat hook prerouting priority dstnat; policy accept;
        		tcp dport 8080 dnat to 10.0.0.5:8080
        		tcp dport 8083 redirect to :8080
        	}
        }
        """;

    private const string Json = """
        {"nftables": [
          {"table": {"family": "inet", "name": "f"}},
          {"chain": {"family": "inet", "table": "f", "name": "pre", "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
          {"chain": {"family": "inet", "table": "f", "name": "post", "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}, {"dnat": {"family": "ip", "addr": "10.0.0.5", "port": 8080}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8081}}, {"dnat": {"family": "ip", "addr": "10.0.0.5"}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8082}}, {"dnat": {"family": "ip6", "addr": "fd00::5", "port": 80}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8083}}, {"redirect": {"port": 8080}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8084}}, {"redirect": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8085}}, {"dnat": {"family": "ip", "addr": "10.0.0.5", "port": {"range": [8080, 8090]}, "flags": ["random", "persistent"]}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8086}}, {"dnat": {"family": "ip", "addr": {"range": ["10.0.0.5", "10.0.0.9"]}}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8087}}, {"dnat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[8087, "10.0.0.1"]]}}}}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8088}}, {"dnat": {"family": "ip", "addr": {"prefix": {"addr": "10.0.0.0", "len": 30}}}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8089}}, {"dnat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": {"set": [[{"prefix": {"addr": "10.0.0.0", "len": 8}}, {"concat": ["10.0.0.2", 80]}]]}}}}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [8090, 8091]}}}, {"dnat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[8090, "10.0.0.1"], [8091, "10.0.0.2"]]}}}}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "post", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "x"}}, {"masquerade": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "post", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "y"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 1}}, {"masquerade": {"port": {"range": [1000, 2000]}, "flags": "random"}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "post", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "z"}}, {"snat": {"family": "ip", "addr": "1.2.3.4"}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "post", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "w"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 2}}, {"snat": {"family": "ip", "addr": "1.2.3.4", "port": 100, "flags": "fully-random"}}]}},
          {"table": {"family": "ip", "name": "g"}},
          {"chain": {"family": "ip", "table": "g", "name": "pre", "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
          {"rule": {"family": "ip", "table": "g", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}, {"dnat": {"addr": "10.0.0.5", "port": 8080}}]}},
          {"rule": {"family": "ip", "table": "g", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8083}}, {"redirect": {"port": 8080}}]}}
        ]}
        """;

    [Fact]
    public void A_json_listing_names_each_translation_as_the_text_listing_does()
    {
        var fromText = NftTextParser.Parse(Text, "nat.nft");
        var fromJson = NftJsonParser.Parse(Json, "nat.json");

        Assert.Empty(fromText.Issues);
        Assert.Empty(fromJson.Issues);
        Assert.Equal(fromText.Nat.Select(r => r.Nat!.Text), fromJson.Nat.Select(r => r.Nat!.Text));
        Assert.Equal("dnat ip to 10.0.0.5:8080", fromJson.Nat.First().Nat!.Text);
        // The same words, the same reading: what is evaluated, and where to.
        Assert.Equal(fromText.Nat.Select(r => (r.Nat!.ToAddress, r.Nat.ToPort, r.Nat.Evaluated)),
            fromJson.Nat.Select(r => (r.Nat!.ToAddress, r.Nat.ToPort, r.Nat.Evaluated)));
    }

    [Fact]
    public void A_verdict_after_a_translation_reads_the_same_from_either_listing()
    {
        var query = new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("192.0.2.7"), 50000, IpAddr.Parse("192.0.2.1"), 8080);

        var fromText = PolicyEvaluator.Evaluate(NftTextParser.Parse(Text, "nat.nft"), query, PolicyPoint.Network);
        var fromJson = PolicyEvaluator.Evaluate(NftJsonParser.Parse(Json, "nat.json"), query, PolicyPoint.Network);

        Assert.EndsWith(" after dnat ip to 10.0.0.5:8080 (inet f pre#1)", fromText.DecidedBy, StringComparison.Ordinal);
        Assert.Equal(fromText.DecidedBy, fromJson.DecidedBy);
    }
}
