using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Policy;

/// <summary>
/// nftables text with several statements on a line, as people write files for <c>nft -f</c> (which reads them) and
/// <c>nft list ruleset</c> never writes them: a chain's header and rules on its opening line, a whole table on one line.
/// Each reads as the same ruleset listed over several lines; the kernel, loaded with such a file, dropped what these
/// tests expect blocked, where the reader had missed the chains and allowed everything.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NftStatementTests
{
    private static PolicyQuery Tcp(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    private static FirewallPolicy Parse(string text) => PolicyLoader.Parse(text, "r.nft", PolicyFormat.NftText);

    [Fact]
    public void A_chain_whose_header_and_rules_share_its_opening_line_is_read()
    {
        var policy = Parse("""
            table inet f {
              chain forward { type filter hook forward priority 0; policy drop;
                ct state established,related accept
                tcp dport 80 accept
              }
            }
            """);

        Assert.Empty(policy.Issues);
        var chain = Assert.Single(policy.Chains);
        Assert.Equal(("forward", PolicyAction.Drop, 2), (chain.Hook, chain.DefaultPolicy, chain.Rules.Count));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, 80));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 82));
    }

    [Fact]
    public void A_table_on_one_line_is_read_as_the_same_table_listed_over_several()
    {
        var policy = Parse("""
            table inet f { chain forward { type filter hook forward priority 0; policy drop; ct state established,related accept; tcp dport { 80, 443 } accept; }; }
            table inet g {
              chain early { type filter hook forward priority -10; policy accept; tcp dport 81 drop; }
            }
            """);

        Assert.Empty(policy.Issues);
        Assert.Equal(["inet f forward", "inet g early"], policy.Chains.Select(c => c.Name));
        Assert.Equal([2, 1], policy.Chains.Select(c => c.Rules.Count));
        Assert.Equal(["inet g early", "inet f forward"], Assert.Single(policy.Paths).Chains);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, 443));
        Assert.Equal((PolicyDecision.Blocked, "inet g early#1"), Verdict(policy, 81));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 82));
    }

    [Fact]
    public void Sets_and_objects_written_on_one_line_keep_their_braces_and_semicolons()
    {
        var policy = Parse("""
            table inet f { set admins { type ipv4_addr; flags interval; elements = { 10.99.1.0/24, 10.0.0.1 }; }; counter c { packets 0 bytes 0; }
              chain input { type filter hook input priority 0; policy drop; ip saddr @admins tcp dport 22 accept; }
            }
            """);

        Assert.Empty(policy.Issues);
        var rule = Assert.Single(Assert.Single(policy.Chains).Rules);
        Assert.Equal(2, rule.Source!.Prefixes.Count);
    }

    // The file loaded by nft -f into a namespace router, connections from 10.99.1.2 and .3 sent through it: the kernel
    // passed 40 and 41 from .2 and nothing else.
    [Fact]
    public void Elements_the_file_adds_after_its_rules_are_in_their_sets_and_maps_from_the_start()
    {
        var policy = Parse("""
            table inet f {
              set blocked {
                type ipv4_addr
              }
              set allowed {
                type ipv4_addr
                flags interval
                elements = { 10.99.1.200 }
              }
              map ports {
                type inet_service : verdict
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                ip saddr @blocked drop
                tcp dport vmap @ports
                ip saddr @allowed tcp dport 41 accept
              }
            }
            add element inet f blocked { 10.99.1.3 }
            add element inet f allowed { 10.99.1.0/30 }
            add element inet f ports { 40 : accept, 42 : drop }
            """);

        Assert.Empty(policy.Issues);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3.1"), Verdict(policy, 40));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#2"), Verdict(policy, 40, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#4"), Verdict(policy, 41));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#2"), Verdict(policy, 41, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#3.2"), Verdict(policy, 42));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 43));
    }

    [Fact]
    public void A_set_filled_only_at_run_time_stays_unknown_whatever_the_file_adds_to_another()
    {
        var policy = Parse("""
            table ip f {
              set seen {
                type ipv4_addr
                flags dynamic
              }
              set other {
                type ipv4_addr
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ip saddr @seen accept
                ip saddr @other accept
              }
            }
            add element ip f seen { 10.99.1.2 }
            """);

        // @other is declared without elements and added none: empty in the file (EmptySets), not unknown.
        Assert.Equal(["set @seen with its elements in the file"], policy.Issues.Select(i => i.Expected));
        Assert.Equal(["set @other of ip f"], policy.EmptySets.Select(s => s.Construct));
        Assert.Equal(PolicyDecision.Undecided, Verdict(policy, 40).Item1);
    }

    // Sets declared without elements, as fail2ban's are before its first ban, loaded by nft -f on a namespace router
    // (client 10.99.1.2 on fvr1, server 10.99.2.2 on fvr2): the kernel passed 88 and 89 and dropped 94. An empty set
    // holds nothing: the drop on @blocked matches no connection, "!= @blocked" every one, "@ports" none.
    internal const string EmptySetsText = """
        table inet f {
        	set blocked {
        		type ipv4_addr
        	}
        	set ports {
        		type inet_service
        	}
        	chain forward {
        		type filter hook forward priority filter; policy drop;
        		ct state established,related accept
        		ip saddr @blocked tcp dport 88 drop
        		tcp dport 88 accept
        		tcp dport @ports accept
        		ip saddr != @blocked tcp dport 89 accept
        	}
        }
        """;

    // nft -j list ruleset of the same, as the kernel held it.
    private const string EmptySetsJson = """
        {"nftables": [
          {"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
          {"table": {"family": "inet", "name": "f", "handle": 7}},
          {"set": {"family": "inet", "name": "blocked", "table": "f", "type": "ipv4_addr", "handle": 2}},
          {"set": {"family": "inet", "name": "ports", "table": "f", "type": "inet_service", "handle": 3}},
          {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}},
          {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@blocked"}},
          {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 88}},
          {"drop": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 6, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 88}},
          {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": "@ports"}},
          {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 8, "expr": [{"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@blocked"}},
          {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 89}},
          {"accept": null}]}}]}
        """;

    [Theory]
    [InlineData("nft")]
    [InlineData("nft-json")]
    public void A_set_declared_empty_matches_nothing_as_the_kernel_does_and_says_it_may_be_filled(string form)
    {
        var policy = form == "nft" ? Parse(EmptySetsText) : NftJsonParser.Parse(EmptySetsJson, "empty.json");

        Assert.Empty(policy.Issues);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), Verdict(policy, 88));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#5"), Verdict(policy, 89));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 94));
        Assert.Equal(["set @blocked of inet f", "set @ports of inet f"], policy.EmptySets.Select(s => s.Construct));
        // Filled at run time, the rules on them may decide otherwise: the reading that says so.
        Assert.Equal((PolicyDecision.Undecided, "inet f forward#2"), Verdict(policy.IfSetsFilled!, 88));
        Assert.Equal(PolicyDecision.Undecided, Verdict(policy.IfSetsFilled!, 94).Item1);
    }

    // A connection to 88 the ruleset file allows, refused at run time (fail2ban banned the client into @blocked): the
    // finding names the empty set and the rule that looks it up, and claims no more than that it may be filled.
    [Fact]
    public void A_refused_connection_the_file_allows_names_the_empty_set_that_may_have_refused_it()
    {
        var capture = new ScenarioCapture("f2b.pcap", 1_700_000_000).Tcp("10.99.1.2", "10.99.2.2", 88, 1, answer: Answer.Silent);
        var (outcome, flows) = FirewallRun.Of(capture, FirewallRun.LanServer, EmptySetsText, PolicyFormat.NftText, "fw");

        Assert.Contains("\"policy\":[\"fw: allowed by inet f forward#3\"]", Assert.Single(flows), StringComparison.Ordinal);
        var refused = Assert.Single(outcome.Report.Findings, f => f.Kind == FindingKind.PolicyRefusedAllowed);
        Assert.Matches(@"; set @blocked of inet f at \S*rules:2 was empty in the file and may be filled at run time: rule inet f forward#2 at \S*rules:11 looks it up$",
            refused.Reason);
    }

    // Two tables, each with an empty set of its own named @blocked: each set's note names only the rules of its own table
    // (a rule of inet g looks up g's @blocked, never f's), where f's note had named g's rule too.
    [Fact]
    public void An_empty_sets_note_names_only_the_rules_of_its_own_table()
    {
        var capture = new ScenarioCapture("f2b.pcap", 1_700_000_000).Tcp("10.99.1.2", "10.99.2.2", 88, 1, answer: Answer.Silent);
        string rules = EmptySetsText + """
            table inet g {
            	set blocked {
            		type ipv4_addr
            	}
            	chain forward {
            		type filter hook forward priority 10; policy accept;
            		ip saddr @blocked tcp dport 88 drop
            	}
            }
            """;
        var (outcome, _) = FirewallRun.Of(capture, FirewallRun.LanServer, rules, PolicyFormat.NftText, "fw");

        var refused = Assert.Single(outcome.Report.Findings, f => f.Kind == FindingKind.PolicyRefusedAllowed);
        Assert.Matches(@"; set @blocked of inet f at \S*rules:2 was empty in the file and may be filled at run time: rule inet f forward#2 at \S*rules:11 looks it up; "
            + @"set @blocked of inet g at \S*rules:\d+ was empty in the file and may be filled at run time: rule inet g forward#1 at \S*rules:\d+ looks it up$",
            refused.Reason);
    }

    // A verdict map declared without elements, loaded by nft -f on the namespace router: the kernel passed 80 (the lookup
    // in the empty map found nothing and went on to the accept) and dropped 81 (the policy). The data map @targets, looked
    // up by the nat chain for 86 only, is not a verdict map.
    internal const string EmptyVerdictMapText = """
        table inet f {
        	map verdicts {
        		type ipv4_addr : verdict
        	}
        	map targets {
        		type inet_service : ipv4_addr
        	}
        	chain pre {
        		type nat hook prerouting priority dstnat; policy accept;
        		tcp dport 86 dnat ip to tcp dport map @targets
        	}
        	chain forward {
        		type filter hook forward priority filter; policy drop;
        		ct state established,related accept
        		tcp dport { 80, 81 } ip saddr vmap @verdicts
        		tcp dport { 80, 86 } accept
        	}
        }
        """;

    // nft -j list ruleset of the same, as the kernel held it.
    private const string EmptyVerdictMapJson = """
        {"nftables": [
          {"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
          {"table": {"family": "inet", "name": "f", "handle": 4}},
          {"map": {"family": "inet", "name": "verdicts", "table": "f", "type": "ipv4_addr", "handle": 3, "map": "verdict"}},
          {"map": {"family": "inet", "name": "targets", "table": "f", "type": "inet_service", "handle": 4, "map": "ipv4_addr"}},
          {"chain": {"family": "inet", "table": "f", "name": "pre", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
          {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
          {"rule": {"family": "inet", "table": "f", "chain": "pre", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 86}},
          {"dnat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@targets"}}}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 6, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}},
          {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 8, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [80, 81]}}},
          {"vmap": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": "@verdicts"}}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 10, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [80, 86]}}},
          {"accept": null}]}}]}
        """;

    [Theory]
    [InlineData("nft")]
    [InlineData("nft-json")]
    public void A_verdict_map_declared_empty_matches_nothing_as_the_kernel_does_and_says_it_may_be_filled(string form)
    {
        var policy = form == "nft" ? Parse(EmptyVerdictMapText) : NftJsonParser.Parse(EmptyVerdictMapJson, "empty.json");

        Assert.Empty(policy.Issues);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), Verdict(policy, 80));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 81));
        Assert.Equal(["map @verdicts of inet f"], policy.EmptySets.Select(s => s.Construct));
        Assert.Equal((PolicyDecision.Undecided, "inet f forward#2"), Verdict(policy.IfSetsFilled!, 80));
    }

    private static (PolicyDecision, string) Verdict(FirewallPolicy policy, int port, string client = "10.99.1.2")
    {
        var verdict = PolicyEvaluator.Evaluate(policy, Tcp(port) with { Source = IpAddr.Parse(client) }, PolicyPoint.Network);
        return (verdict.Decision, verdict.DecidedBy);
    }
}
