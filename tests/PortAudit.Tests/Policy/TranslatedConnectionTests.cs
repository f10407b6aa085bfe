using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Rules that ask whether the connection's destination was translated (nftables <c>ct status dnat</c>, iptables
/// <c>--ctstate DNAT</c>) decided from the nat walk, as the kernel decides them: the differential test's cd1 (nftables)
/// and cd2 (iptables) load these rulesets on a router and send 8080 (translated to 80), 80, 8081 (translated to 81), 81
/// and udp 53 through it, and s1 has <c>--ctstate DNAT</c> with no nat chain at all.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TranslatedConnectionTests
{
    private static PolicyQuery Query(byte protocol, int port) => new(protocol, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    private static (PolicyDecision, string) Verdict(FirewallPolicy policy, byte protocol, int port)
    {
        var verdict = PolicyEvaluator.Evaluate(policy, Query(protocol, port), PolicyPoint.Network);
        return (verdict.Decision, verdict.DecidedBy);
    }

    private const string Nftables = """
        table inet f {
          chain pre {
            type nat hook prerouting priority dstnat; policy accept;
            tcp dport 8080 dnat ip to 10.99.2.2:80
            tcp dport 8081 dnat ip to 10.99.2.2:81
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            tcp dport 81 ct status ! dnat accept
            ct status dnat tcp dport 80 accept
            udp dport 53 ct status != dnat accept
          }
        }
        """;

    [Fact]
    public void Nftables_ct_status_dnat_matches_the_connections_the_nat_chain_translated()
    {
        var policy = NftTextParser.Parse(Nftables, "cd1.nft");

        // Kernel: 8080 passed (translated to 80), 80 dropped, 8081 dropped (translated, so not "! dnat"), 81 passed.
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3 after dnat ip to 10.99.2.2:80 (inet f pre#1)"), Verdict(policy, IpProtocol.Tcp, 8080));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, IpProtocol.Tcp, 80));
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, IpProtocol.Tcp, 8081).Item1);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, IpProtocol.Tcp, 81));
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Nftables_ct_status_compared_whole_never_equals_a_translation_flag()
    {
        // "!= dnat" compares the whole status, which the kernel found different from dnat alone on a translated
        // connection too (its dnat-done flag), and on one not translated: every tracked connection (cd3 passed udp 53).
        var policy = NftTextParser.Parse(Nftables, "cd1.nft");

        Assert.Equal((PolicyDecision.Allowed, "inet f forward#4"), Verdict(policy, IpProtocol.Udp, 53));
    }

    // Kernel case cd5, loaded on a router: 8083, 83, 8084, 85, 86 passed; 8082, 82, 84 and udp 53 dropped. The nat chain
    // after the filter (masquerade) has not run when the filter sees the first packet: snat is never set there.
    private const string Flags = """
        table inet f {
          chain pre {
            type nat hook prerouting priority dstnat; policy accept;
            tcp dport 8082 dnat ip to 10.99.2.2:82
            tcp dport 8083 dnat ip to 10.99.2.2:83
            tcp dport 8084 dnat ip to 10.99.2.2:84
          }
          chain post {
            type nat hook postrouting priority srcnat; policy accept;
            oifname "fvr2" tcp dport 86 masquerade
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            ct status snat accept
            tcp dport 82 ct status == dnat accept
            tcp dport 83 ct status != snat accept
            tcp dport 84 ct status snat,dnat accept
            tcp dport 85 ct status ! snat accept
            tcp dport 86 ct status { snat } accept
            tcp dport 86 ct status ! snat,dnat accept
            udp dport 53 ct status { dnat, snat } accept
          }
        }
        """;

    [Fact]
    public void Nftables_ct_status_snat_and_dnat_are_decided_by_the_rulesets_own_translations()
    {
        // nft -j of the same, for the operators the text leaves implicit: a set of one flag is a test of it ("in").
        const string json = """
            {"nftables": [
              {"table": {"family": "inet", "name": "f"}},
              {"chain": {"family": "inet", "table": "f", "name": "pre", "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
              {"chain": {"family": "inet", "table": "f", "name": "forward", "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
              {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8082}}, {"dnat": {"family": "ip", "addr": "10.99.2.2", "port": 82}}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8083}}, {"dnat": {"family": "ip", "addr": "10.99.2.2", "port": 83}}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8084}}, {"dnat": {"family": "ip", "addr": "10.99.2.2", "port": 84}}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": "snat"}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 82}}, {"match": {"op": "==", "left": {"ct": {"key": "status"}}, "right": "dnat"}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 83}}, {"match": {"op": "!=", "left": {"ct": {"key": "status"}}, "right": "snat"}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 84}}, {"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": ["snat", "dnat"]}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 85}}, {"match": {"op": "!", "left": {"ct": {"key": "status"}}, "right": "snat"}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 86}}, {"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": "snat"}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 86}}, {"match": {"op": "!", "left": {"ct": {"key": "status"}}, "right": ["snat", "dnat"]}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}, {"match": {"op": "==", "left": {"ct": {"key": "status"}}, "right": {"set": ["snat", "dnat"]}}}, {"accept": null}]}}
            ]}
            """;
        foreach (var policy in new[] { NftTextParser.Parse(Flags, "cd5.nft"), NftJsonParser.Parse(json, "cd5.json") })
        {
            Assert.Empty(policy.Issues);
            Assert.Equal(PolicyDecision.Blocked, Verdict(policy, IpProtocol.Tcp, 8082).Item1);
            Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, IpProtocol.Tcp, 82));
            Assert.Equal(PolicyDecision.Allowed, Verdict(policy, IpProtocol.Tcp, 8083).Item1);
            Assert.Equal((PolicyDecision.Allowed, "inet f forward#4"), Verdict(policy, IpProtocol.Tcp, 83));
            Assert.Equal(PolicyDecision.Allowed, Verdict(policy, IpProtocol.Tcp, 8084).Item1);
            Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, IpProtocol.Tcp, 84));
            Assert.Equal((PolicyDecision.Allowed, "inet f forward#6"), Verdict(policy, IpProtocol.Tcp, 85));
            Assert.Equal((PolicyDecision.Allowed, "inet f forward#8"), Verdict(policy, IpProtocol.Tcp, 86));
            Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, IpProtocol.Udp, 53));
        }
        // A status flag the first packet does not settle (confirmed once the last hook passed it) may match.
        var other = NftTextParser.Parse(Flags.Replace("ct status snat accept", "ct status confirmed accept", StringComparison.Ordinal), "cd5.nft");
        Assert.Equal(PolicyDecision.Undecided, Verdict(other, IpProtocol.Tcp, 82).Item1);
    }

    [Fact]
    public void Nftables_json_ct_status_reads_as_the_text()
    {
        var policy = NftJsonParser.Parse("""
            {"nftables": [
              {"table": {"family": "inet", "name": "f", "handle": 1}},
              {"chain": {"family": "inet", "table": "f", "name": "pre", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
              {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
              {"rule": {"family": "inet", "table": "f", "chain": "pre", "handle": 3, "expr": [
                {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}},
                {"dnat": {"family": "ip", "addr": "10.99.2.2", "port": 80}}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [
                {"match": {"op": "!", "left": {"ct": {"key": "status"}}, "right": "dnat"}},
                {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 81}}, {"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 5, "expr": [
                {"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": "dnat"}},
                {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"accept": null}]}}
            ]}
            """, "cd1.json");

        Assert.Equal(PolicyDecision.Allowed, Verdict(policy, IpProtocol.Tcp, 8080).Item1);
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, IpProtocol.Tcp, 80).Item1);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#1"), Verdict(policy, IpProtocol.Tcp, 81));
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Iptables_ctstate_dnat_matches_the_connections_the_nat_table_translated()
    {
        var policy = IptablesSaveParser.Parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.99.2.2:80
            -A PREROUTING -p tcp -m tcp --dport 8081 -j DNAT --to-destination 10.99.2.2:81
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -p tcp -m tcp --dport 81 -m conntrack ! --ctstate DNAT -j ACCEPT
            -A FORWARD -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -j ACCEPT
            -A FORWARD -p udp -m conntrack --ctstate NEW,DNAT -j ACCEPT
            COMMIT
            """, "cd2.rules");

        // Kernel: 8080 passed, 80 dropped, 8081 dropped (iptables negates the state test), 81 passed, udp 53 passed.
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#3 after -j DNAT --to-destination 10.99.2.2:80 (nat PREROUTING#1)"), Verdict(policy, IpProtocol.Tcp, 8080));
        Assert.Equal((PolicyDecision.Blocked, "policy of FORWARD"), Verdict(policy, IpProtocol.Tcp, 80));
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, IpProtocol.Tcp, 8081).Item1);
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#2"), Verdict(policy, IpProtocol.Tcp, 81));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#4"), Verdict(policy, IpProtocol.Udp, 53));
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Iptables_ctstate_dnat_without_a_nat_table_matches_nothing()
    {
        var policy = IptablesSaveParser.Parse("""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -m conntrack --ctstate DNAT -j ACCEPT
            COMMIT
            """, "s1.rules");

        // Kernel (s1): every connection dropped, nothing having been translated.
        Assert.Equal((PolicyDecision.Blocked, "policy of FORWARD"), Verdict(policy, IpProtocol.Tcp, 80));
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void A_dnat_to_the_address_and_port_the_connection_has_is_not_named()
    {
        // The differential test's sd1 and sd2: the kernel passed 81 and 82 by the accept after the drop of translated
        // connections (its counter stayed at 0): a dnat to where the connection already goes translates nothing.
        var nftables = NftTextParser.Parse("""
            table inet f {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                tcp dport 81 dnat ip to 10.99.2.2:81
                tcp dport 82 dnat ip to 10.99.2.2
                tcp dport 8080 dnat ip to 10.99.2.2:80
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                tcp dport { 81, 82 } ct status dnat counter drop
                tcp dport { 81, 82 } counter accept
                ct status dnat tcp dport 80 accept
              }
            }
            """, "sd1.nft");
        var iptables = IptablesSaveParser.Parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination 10.99.2.2:81
            -A PREROUTING -p tcp -m tcp --dport 82 -j DNAT --to-destination 10.99.2.2
            -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.99.2.2:80
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -p tcp -m multiport --dports 81,82 -m conntrack --ctstate DNAT -j DROP
            -A FORWARD -p tcp -m multiport --dports 81,82 -j ACCEPT
            -A FORWARD -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -j ACCEPT
            COMMIT
            """, "sd2.rules");

        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), Verdict(nftables, IpProtocol.Tcp, 81));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), Verdict(nftables, IpProtocol.Tcp, 82));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#4 after dnat ip to 10.99.2.2:80 (inet f pre#3)"), Verdict(nftables, IpProtocol.Tcp, 8080));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#3"), Verdict(iptables, IpProtocol.Tcp, 81));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#3"), Verdict(iptables, IpProtocol.Tcp, 82));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#4 after -j DNAT --to-destination 10.99.2.2:80 (nat PREROUTING#3)"), Verdict(iptables, IpProtocol.Tcp, 8080));
    }

    // Loaded with nft -f on a router and connected to from 10.99.1.2 to its own 10.99.1.1: the kernel passed 71 (its
    // source translated by the input nat chain at 100, then accepted by "ct status snat" in the filter chain at 110) and
    // dropped 72 (not translated). The filter chain at 110 runs after the nat chain: snat may be set on the first packet.
    internal const string InputSourceNat = """
        table ip n {
        	chain in {
        		type nat hook input priority 100; policy accept;
        		tcp dport { 71, 73 } snat to 10.99.1.50
        	}
        }
        table inet f {
        	chain late {
        		type filter hook input priority 110; policy accept;
        		tcp dport { 71, 72 } ct status snat accept
        		tcp dport { 71, 72 } drop
        	}
        }
        """;

    [Fact]
    public void Nftables_ct_status_snat_after_an_input_nat_chain_may_hold_on_the_first_packet()
    {
        var policy = NftTextParser.Parse(InputSourceNat, "in-snat.nft");
        PolicyVerdict Judge(int port) =>
            PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.1.1"), port), PolicyPoint.Host);

        Assert.Empty(policy.Issues);
        // Whether the nat chain translated the connection is not walked: the snat rule may match, the verdict names it.
        foreach (int port in new[] { 71, 72 })
            Assert.Equal((PolicyDecision.Undecided, "inet f late#1"), (Judge(port).Decision, Judge(port).DecidedBy));
        // Before the nat chain (the same filter chain at priority 0) no first packet has the flag: the drop decides.
        var early = NftTextParser.Parse(InputSourceNat.Replace("priority 110", "priority 0", StringComparison.Ordinal), "in-snat.nft");
        var verdict = PolicyEvaluator.Evaluate(early, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.1.1"), 71), PolicyPoint.Host);
        Assert.Equal((PolicyDecision.Blocked, "inet f late#2"), (verdict.Decision, verdict.DecidedBy));
    }

    // Loaded with nft -f on a router and connected to from 10.99.1.2 to its own 10.99.1.1: the kernel passed 71 (its
    // source translated by the input nat chain, then accepted by "ct status snat,dnat": any of the two flags), 81 and 83
    // (translated to 84 by the prerouting nat chain) and dropped 72 (neither translated) and 84.
    internal const string EitherTranslation = """
        table ip n {
        	chain in {
        		type nat hook input priority 100; policy accept;
        		tcp dport { 71, 73 } snat to 10.99.1.50
        	}
        	chain pre {
        		type nat hook prerouting priority dstnat; policy accept;
        		tcp dport { 81, 83 } dnat to 10.99.1.1:84
        	}
        }
        table inet f {
        	chain late {
        		type filter hook input priority 110; policy accept;
        		tcp dport { 71, 72, 84 } ct status snat,dnat accept
        		tcp dport { 71, 72, 73, 84, 85 } drop
        	}
        }
        """;

    [Fact]
    public void Nftables_ct_status_snat_dnat_after_an_input_nat_chain_is_either_flag()
    {
        var policy = NftTextParser.Parse(EitherTranslation, "either.nft");
        (PolicyDecision, string) Judge(FirewallPolicy judged, int port)
        {
            var verdict = PolicyEvaluator.Evaluate(judged, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.1.1"), port), PolicyPoint.Host);
            return (verdict.Decision, verdict.DecidedBy);
        }

        Assert.Empty(policy.Issues);
        // Not destination-translated, but the input nat chain may have set snat: the rule may match (the kernel passed 71).
        Assert.Equal((PolicyDecision.Undecided, "inet f late#1"), Judge(policy, 71));
        Assert.Equal((PolicyDecision.Undecided, "inet f late#1"), Judge(policy, 72));
        // Destination-translated: dnat is set, the rule matches whatever the source nat did.
        Assert.Equal((PolicyDecision.Allowed, "inet f late#1 after dnat to 10.99.1.1:84 (ip n pre#1)"), Judge(policy, 81));
        // Whether the nat chain translated a connection to 84 (the kernel: it did not, and dropped it) is not walked.
        Assert.Equal((PolicyDecision.Undecided, "inet f late#1"), Judge(policy, 84));
        // Before the nat chain (the same filter chain at priority 0) no first packet has snat: dnat alone decides.
        var early = NftTextParser.Parse(EitherTranslation.Replace("priority 110", "priority 0", StringComparison.Ordinal), "either.nft");
        Assert.Equal((PolicyDecision.Blocked, "inet f late#2"), Judge(early, 71));
        Assert.Equal((PolicyDecision.Allowed, "inet f late#1 after dnat to 10.99.1.1:84 (ip n pre#1)"), Judge(early, 81));
    }
}
