using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Several conditions on one interface in one rule, as firewalld and hand-written rulesets write them (<c>iifname != "a"
/// iifname != "b"</c>, <c>iifname != { "a", "b" }</c>): all must hold, as the kernel reads them. The differential test's
/// if1 (a router: client on fvr1, server on fvr2) and if2 (a host's own connections over lo, its other interface fvs)
/// ran these rulesets.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class InterfaceConditionTests
{
    private const string Router = """
        table inet f {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            iifname != "fvr2" iifname != "lo" tcp dport 80 accept
            iifname != "fvr1" iifname != "lo" tcp dport 81 accept
            iifname != "x1" iifname != "x2" tcp dport 82 accept
            tcp dport 82 accept
            iifname != { "x1", "x2" } tcp dport 83 drop
            tcp dport 83 accept
            iifname != "fvr1" iifname != "x2" tcp dport 84 drop
            oifname != "x1" oifname != "x2" tcp dport 84 accept
            iifname != "x1" iifname != "x2" tcp dport 85 drop
            tcp dport { 80, 81, 85 } drop
          }
        }
        """;

    // nft -j list ruleset of if2 as the kernel held it.
    private const string Host = """
        {"nftables": [
          {"table": {"family": "inet", "name": "f"}},
          {"chain": {"family": "inet", "table": "f", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "fvs"}}, {"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "x2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 90}}, {"drop": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": {"set": ["x2", "fvs"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 91}}, {"drop": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "lo"}}, {"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "x2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 92}}, {"drop": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "x1"}}, {"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "x2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 93}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [90, 91, 92]}}}, {"accept": null}]}}
        ]}
        """;

    private static (PolicyDecision, string) Verdict(FirewallPolicy policy, PolicyQuery query, PolicyPoint point)
    {
        var verdict = PolicyEvaluator.Evaluate(policy, query, point);
        return (verdict.Decision, verdict.DecidedBy);
    }

    private static PolicyQuery Through(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    [Fact]
    public void Negated_interfaces_are_understood_and_all_must_differ()
    {
        var policy = NftTextParser.Parse(Router, "if1.nft");

        Assert.Empty(policy.Issues);
        Assert.Equal("iifname !x1 !x2", policy.Chain("inet f forward")!.Rules[5].Interfaces);
        // Kernel: 80 passed (arriving on fvr1), 81 dropped, 83 dropped, 84 passed; with the interfaces the packets crossed
        // (a capture on the router's ports) each is decided so.
        var known = (Func<int, PolicyQuery>)(port => Through(port) with { InInterface = "fvr1", OutInterface = "fvr2" });
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, known(80), PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#11"), Verdict(policy, known(81), PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#6"), Verdict(policy, known(83), PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#9"), Verdict(policy, known(84), PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#6"), Verdict(policy, known(83) with { InInterface = "fvr3" }, PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#7"), Verdict(policy, known(83) with { InInterface = "x2" }, PolicyPoint.Network));
        // A flow record names no interface: 82 passed and 85 dropped whichever it was, as the rule that may match decides
        // as the next one does; 80 is undecided.
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#5"), Verdict(policy, Through(82), PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#11"), Verdict(policy, Through(85), PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Undecided, "inet f forward#2"), Verdict(policy, Through(80), PolicyPoint.Network));
        // A set to match is any of its names: a flow record names neither, so the rule may match.
        var anyOf = NftTextParser.Parse("""
            table inet f {
              chain input {
                type filter hook input priority filter; policy drop;
                iifname { "a", "b" } tcp dport 22 accept
              }
            }
            """, "set.nft");
        Assert.Empty(anyOf.Issues);
        Assert.Equal(("a,b", PolicyDecision.Undecided),
            (anyOf.Chain("inet f input")!.Rules[0].InInterface, PolicyEvaluator.Evaluate(anyOf, Through(22), PolicyPoint.Host).Decision));
    }

    [Fact]
    public void A_hosts_connection_to_itself_crosses_lo_and_is_decided_as_the_kernel_did()
    {
        var policy = NftJsonParser.Parse(Host, "if2.json");
        // What the audit asks for a connection from the host's own address to it (FirewallAudit): it arrived on lo.
        var local = (Func<int, PolicyQuery>)(port =>
            new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.2.2"), 50000, IpAddr.Parse("10.99.2.2"), port) { InInterface = "lo" });

        Assert.Empty(policy.Issues);
        // Kernel: 90 and 91 dropped (lo is neither fvs nor x2), 92 passed (lo is lo), 93 passed.
        Assert.Equal((PolicyDecision.Blocked, "inet f input#2"), Verdict(policy, local(90), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Blocked, "inet f input#3"), Verdict(policy, local(91), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "inet f input#6"), Verdict(policy, local(92), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "inet f input#5"), Verdict(policy, local(93), PolicyPoint.Host));
        // The set is read as its names in any order: the text listing's rule is the JSON listing's.
        var text = NftTextParser.Parse("""
            table inet f {
              chain input {
                type filter hook input priority filter; policy drop;
                iifname != { "fvs", "x2" } tcp dport 91 drop
              }
            }
            """, "if2.nft");
        Assert.Equal(text.Chain("inet f input")!.Rules[0].InInterface, policy.Chain("inet f input")!.Rules[1].InInterface);
    }

    // if3, loaded on the server (kernel: 80, 82, 84, 85 and 86 passed from its own address, 81 and 83 dropped); if4 is
    // its iptables form (82, 84, 85, 86 passed, 80, 81, 83 dropped: it has no rule for 80 and 81).
    private const string Wildcards = """
        table inet f {
          chain input {
            type filter hook input priority filter; policy drop;
            ct state established,related accept
            iifname { "lo", "x1" } tcp dport 80 accept
            iifname { "x1", "x2" } tcp dport 81 accept
            iifname "l*" tcp dport 82 accept
            iifname "eth*" tcp dport 83 accept
            iifname != "l*" tcp dport 84 drop
            tcp dport 84 accept
            iifname { "x*", "lo" } tcp dport 85 accept
            iifname != "x*" tcp dport 86 accept
          }
        }
        """;

    private const string IptablesWildcards = """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -i l+ -p tcp -m tcp --dport 82 -j ACCEPT
        -A INPUT -i eth+ -p tcp -m tcp --dport 83 -j ACCEPT
        -A INPUT ! -i l+ -p tcp -m tcp --dport 84 -j DROP
        -A INPUT -p tcp -m tcp --dport 84 -j ACCEPT
        -A INPUT ! -i x+ -p tcp -m tcp --dport 86 -j ACCEPT
        COMMIT
        """;

    private static PolicyQuery Itself(int port) =>
        new(IpProtocol.Tcp, IpAddr.Parse("10.99.2.2"), 50000, IpAddr.Parse("10.99.2.2"), port) { InInterface = "lo" };

    [Fact]
    public void A_set_of_interfaces_is_any_of_them_and_a_wildcard_every_name_it_begins()
    {
        var policy = NftTextParser.Parse(Wildcards, "if3.nft");

        Assert.Empty(policy.Issues);
        Assert.Equal("iifname lo,x1", policy.Chain("inet f input")!.Rules[1].Interfaces);
        Assert.Equal((PolicyDecision.Allowed, "inet f input#2"), Verdict(policy, Itself(80), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f input"), Verdict(policy, Itself(81), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "inet f input#4"), Verdict(policy, Itself(82), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f input"), Verdict(policy, Itself(83), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "inet f input#7"), Verdict(policy, Itself(84), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "inet f input#8"), Verdict(policy, Itself(85), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "inet f input#9"), Verdict(policy, Itself(86), PolicyPoint.Host));
        // From another host the interface is not known: the names other than lo may be the one it came in on.
        var remote = new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), 80);
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, remote, PolicyPoint.Host).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, remote with { InInterface = "x1" }, PolicyPoint.Host).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, remote with { DestinationPort = 85, InInterface = "x9" }, PolicyPoint.Host).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, remote with { DestinationPort = 82, InInterface = "eth0" }, PolicyPoint.Host).Decision);

        var iptables = IptablesSaveParser.Parse(IptablesWildcards, "if4.ipt");
        Assert.Equal("iifname l*", iptables.Chain("INPUT")!.Rules[1].Interfaces);
        Assert.Equal((PolicyDecision.Allowed, "INPUT#2"), Verdict(iptables, Itself(82), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Blocked, "policy of INPUT"), Verdict(iptables, Itself(83), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "INPUT#5"), Verdict(iptables, Itself(84), PolicyPoint.Host));
        Assert.Equal((PolicyDecision.Allowed, "INPUT#6"), Verdict(iptables, Itself(86), PolicyPoint.Host));
    }

    // Loaded with nft -f on a router (client on fvr1, server on fvr2) and listed back as written: 89 passed, 88 and 94 were
    // dropped; with fvr1 renamed to the literal "eth*", 88 passed and 89 and 94 were dropped. An escaped star is the
    // character itself, not every name it begins.
    internal const string EscapedStar = """
        table inet f {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            iifname "eth\*" tcp dport 88 accept
            iifname "fv*" tcp dport 89 accept
            iifname "fvr\*" tcp dport 94 accept
          }
        }
        """;

    private const string EscapedStarJson = """
        {"nftables": [
          {"table": {"family": "inet", "name": "f"}},
          {"chain": {"family": "inet", "table": "f", "name": "forward", "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth\\*"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 88}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "fv*"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 89}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "fvr\\*"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 94}}, {"accept": null}]}}
        ]}
        """;

    public static TheoryData<string> EscapedStarForms => ["nft", "nft-json"];

    [Theory]
    [MemberData(nameof(EscapedStarForms))]
    public void An_escaped_star_is_the_literal_name_as_decided_and_as_shown(string form)
    {
        var policy = form == "nft" ? NftTextParser.Parse(EscapedStar, "star.nft") : NftJsonParser.Parse(EscapedStarJson, "star.json");
        PolicyDecision On(string name, int port) => PolicyEvaluator.Evaluate(policy,
            new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port) { InInterface = name }, PolicyPoint.Network).Decision;

        Assert.Empty(policy.Issues);
        Assert.Equal((PolicyDecision.Blocked, PolicyDecision.Allowed, PolicyDecision.Blocked), (On("fvr1", 88), On("fvr1", 89), On("fvr1", 94)));
        Assert.Equal((PolicyDecision.Allowed, PolicyDecision.Blocked, PolicyDecision.Blocked), (On("eth*", 88), On("eth*", 89), On("eth*", 94)));
        Assert.Equal(PolicyDecision.Blocked, On("eth0", 88));
        // Shown as nft lists it, escaped, so that it does not read as the wildcard of the next rule.
        var rules = policy.Chain("inet f forward")!.Rules;
        Assert.Equal(("iifname eth\\*", "iifname fv*"), (rules[1].Interfaces, rules[2].Interfaces));
    }
}
