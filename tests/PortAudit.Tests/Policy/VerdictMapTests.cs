using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// nftables verdict maps read as the kernel evaluates them: the element whose key holds the field gives the verdict, and
/// a packet no element holds goes on to the next rule. The rulesets are those of the differential test against the
/// kernel (network namespaces, the real nft; text and JSON as nft list ruleset wrote them): each expected verdict is the
/// one the kernel gave a connection from the client (10.99.1.2 or .3) to 10.99.2.2 through the forward chain.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class VerdictMapTests
{
    private const string Vm1Text = """
        table inet f {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state vmap { invalid : drop, established : accept, related : accept }
            tcp dport vmap { 22 : accept, 23 : drop, 81 : goto web, 8000-8099 : jump web, 9000-9010 : continue }
            tcp dport 9005 accept
            tcp dport { 23, 24 } accept
            ip saddr vmap { 10.99.0.0/24 : drop, 10.99.1.2 : continue, 10.99.1.3 : drop } comment "after"
            tcp dport 25 accept
          }

          chain web {
            tcp dport 8080 accept
            tcp dport 8081 drop
          }
        }
        """;

    private const string Vm1Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "f", "handle": 1}}, {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"chain": {"family": "inet", "table": "f", "name": "web", "handle": 2}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [{"vmap": {"key": {"ct": {"key": "state"}}, "data": {"set": [["invalid", {"drop": null}], ["established", {"accept": null}], ["related", {"accept": null}]]}}}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 6, "expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[22, {"accept": null}], [23, {"drop": null}], [81, {"goto": {"target": "web"}}], [{"range": [8000, 8099]}, {"jump": {"target": "web"}}], [{"range": [9000, 9010]}, {"continue": null}]]}}}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 9005}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 9, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [23, 24]}}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 11, "comment": "after", "expr": [{"vmap": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": {"set": [[{"prefix": {"addr": "10.99.0.0", "len": 24}}, {"drop": null}], ["10.99.1.2", {"continue": null}], ["10.99.1.3", {"drop": null}]]}}}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 12, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 25}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "web", "handle": 13, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "web", "handle": 14, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8081}}, {"drop": null}]}}]}
        """;

    private const string Vm2Text = """
        table ip g {
          map ports {
            type inet_service : verdict
            elements = { 443 : accept, 444 : drop, 445 : return }
          }

          map nets {
            type ipv4_addr : verdict
            flags interval
            elements = { 10.99.1.0-10.99.1.2 : accept, 10.99.1.3 : drop }
          }

          chain fromc {
            tcp dport vmap @ports
            ip saddr vmap @nets
          }

          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            iifname vmap { "lo" : drop, "fvr1" : jump fromc }
            tcp dport 445 accept
          }
        }
        """;

    private const string Vm2Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "ip", "name": "g", "handle": 1}}, {"map": {"family": "ip", "name": "ports", "table": "g", "type": "inet_service", "handle": 3, "map": "verdict", "elem": [[443, {"accept": null}], [444, {"drop": null}], [445, {"return": null}]]}}, {"map": {"family": "ip", "name": "nets", "table": "g", "type": "ipv4_addr", "handle": 4, "map": "verdict", "flags": ["interval"], "elem": [[{"range": ["10.99.1.0", "10.99.1.2"]}, {"accept": null}], ["10.99.1.3", {"drop": null}]]}}, {"chain": {"family": "ip", "table": "g", "name": "fromc", "handle": 1}}, {"chain": {"family": "ip", "table": "g", "name": "forward", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "ip", "table": "g", "chain": "fromc", "handle": 5, "expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@ports"}}]}}, {"rule": {"family": "ip", "table": "g", "chain": "fromc", "handle": 6, "expr": [{"vmap": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": "@nets"}}]}}, {"rule": {"family": "ip", "table": "g", "chain": "forward", "handle": 7, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "ip", "table": "g", "chain": "forward", "handle": 9, "expr": [{"vmap": {"key": {"meta": {"key": "iifname"}}, "data": {"set": [["lo", {"drop": null}], ["fvr1", {"jump": {"target": "fromc"}}]]}}}]}}, {"rule": {"family": "ip", "table": "g", "chain": "forward", "handle": 10, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 445}}, {"accept": null}]}}]}
        """;

    private const string Vm3Text = """
        table inet h {
          map pm {
            type inet_service : verdict
            elements = { 80 : accept, * : jump other }
          }

          chain other {
            ip saddr 10.99.1.3 accept
          }

          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            meta l4proto vmap { icmp : accept, udp : drop }
            tcp dport vmap @pm
          }
        }
        """;

    private const string Vm3Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "h", "handle": 1}}, {"map": {"family": "inet", "name": "pm", "table": "h", "type": "inet_service", "handle": 3, "map": "verdict", "elem": [[80, {"accept": null}], ["*", {"jump": {"target": "other"}}]]}}, {"chain": {"family": "inet", "table": "h", "name": "other", "handle": 1}}, {"chain": {"family": "inet", "table": "h", "name": "forward", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "h", "chain": "other", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.99.1.3"}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "h", "chain": "forward", "handle": 5, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "h", "chain": "forward", "handle": 7, "expr": [{"vmap": {"key": {"meta": {"key": "l4proto"}}, "data": {"set": [["icmp", {"accept": null}], ["udp", {"drop": null}]]}}}]}}, {"rule": {"family": "inet", "table": "h", "chain": "forward", "handle": 8, "expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@pm"}}]}}]}
        """;

    private const string Cv1Text = """
        table inet f {
          chain web {
            tcp dport 8080 accept
          }

          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            ip saddr . tcp dport vmap { 10.99.1.2 . 22 : accept, 10.99.1.3 . 22 : drop, 10.99.1.0/24 . 8000-8099 : jump web, 10.99.1.3 . 23 : continue }
            tcp dport 23 accept
            ip saddr . ip daddr . tcp dport { 10.99.1.2 . 10.99.2.2 . 24, 10.99.1.3 . 10.99.2.0/24 . 25 } accept
            meta l4proto . udp dport vmap { udp . 53 : accept }
          }
        }
        """;

    private const string Cv1Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "f", "handle": 1}}, {"chain": {"family": "inet", "table": "f", "name": "web", "handle": 1}}, {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "f", "chain": "web", "handle": 3, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 6, "expr": [{"vmap": {"key": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "data": {"set": [[{"concat": ["10.99.1.2", 22]}, {"accept": null}], [{"concat": ["10.99.1.3", 22]}, {"drop": null}], [{"concat": [{"prefix": {"addr": "10.99.1.0", "len": 24}}, {"range": [8000, 8099]}]}, {"jump": {"target": "web"}}], [{"concat": ["10.99.1.3", 23]}, {"continue": null}]]}}}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 23}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 9, "expr": [{"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "ip", "field": "daddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "right": {"set": [{"concat": ["10.99.1.2", "10.99.2.2", 24]}, {"concat": ["10.99.1.3", {"prefix": {"addr": "10.99.2.0", "len": 24}}, 25]}]}}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 11, "expr": [{"vmap": {"key": {"concat": [{"meta": {"key": "l4proto"}}, {"payload": {"protocol": "udp", "field": "dport"}}]}, "data": {"set": [[{"concat": ["udp", 53]}, {"accept": null}]]}}}]}}]}
        """;

    private const string Cv2Text = """
        table ip g {
          map allow {
            type ipv4_addr . inet_service : verdict
            flags interval
            elements = { 10.99.1.2 . 30-31 : accept,
                   10.99.1.3 . 30 : drop }
          }

          set pairs {
            type ipv4_addr . inet_proto . inet_service
            elements = { 10.99.1.3 . tcp . 31 }
          }

          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            ip saddr . tcp dport vmap @allow
            ip saddr . ip protocol . tcp dport @pairs accept
            iifname . tcp dport vmap { "fvr1" . 32 : accept, "lo" . 33 : accept }
          }
        }
        """;

    private const string Cv2Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "ip", "name": "g", "handle": 1}}, {"map": {"family": "ip", "name": "allow", "table": "g", "type": ["ipv4_addr", "inet_service"], "handle": 2, "map": "verdict", "flags": ["interval"], "elem": [[{"concat": ["10.99.1.2", {"range": [30, 31]}]}, {"accept": null}], [{"concat": ["10.99.1.3", 30]}, {"drop": null}]]}}, {"set": {"family": "ip", "name": "pairs", "table": "g", "type": ["ipv4_addr", "inet_proto", "inet_service"], "handle": 3, "elem": [{"concat": ["10.99.1.3", "tcp", 31]}]}}, {"chain": {"family": "ip", "table": "g", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "ip", "table": "g", "chain": "forward", "handle": 4, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "ip", "table": "g", "chain": "forward", "handle": 5, "expr": [{"vmap": {"key": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "data": "@allow"}}]}}, {"rule": {"family": "ip", "table": "g", "chain": "forward", "handle": 6, "expr": [{"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "ip", "field": "protocol"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "right": "@pairs"}}, {"accept": null}]}}, {"rule": {"family": "ip", "table": "g", "chain": "forward", "handle": 8, "expr": [{"vmap": {"key": {"concat": [{"meta": {"key": "iifname"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "data": {"set": [[{"concat": ["fvr1", 32]}, {"accept": null}], [{"concat": ["lo", 33]}, {"accept": null}]]}}}]}}]}
        """;

    private const string Vs1Text = """
        table inet f {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            tcp dport vmap { 50 : continue, 51 : drop, 52 : accept } ip saddr 10.99.1.2 accept
            tcp dport { 50, 53 } ip saddr 10.99.1.3 accept
            tcp dport vmap { 54 : accept } counter packets 0 bytes 0
          }
        }
        """;

    private const string Vs1Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "f", "handle": 1}}, {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 2, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 4, "expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[50, {"continue": null}], [51, {"drop": null}], [52, {"accept": null}]]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.99.1.2"}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 6, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [50, 53]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.99.1.3"}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 8, "expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[54, {"accept": null}]]}}}, {"counter": {"packets": 0, "bytes": 0}}]}}]}
        """;

    private static FirewallPolicy Parse(string text, string json, string form) =>
        form == "nft" ? NftTextParser.Parse(text, "vm.nft") : NftJsonParser.Parse(json, "vm.json");

    // The client's packets reached the firewall on fvr1.
    private static PolicyDecision Decide(FirewallPolicy policy, byte protocol, string client, int port) =>
        PolicyEvaluator.Evaluate(policy, new PolicyQuery(protocol, IpAddr.Parse(client), 50000, IpAddr.Parse("10.99.2.2"), port) { InInterface = "fvr1" },
            PolicyPoint.Network).Decision;

    public static TheoryData<string> Forms => ["nft", "nft-json"];

    [Theory]
    [MemberData(nameof(Forms))]
    public void An_anonymous_verdict_map_on_ports_and_addresses_gives_the_verdict_of_the_element_that_matches(string form)
    {
        var policy = Parse(Vm1Text, Vm1Json, form);

        Assert.Empty(policy.Issues);
        // 22 accept, 23 drop; 24 in no element goes on to "tcp dport { 23, 24 } accept".
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 22));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 23));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 24));
        // 8000-8099 jump web: 8080 accepted there, 8081 dropped, 8082 returns and falls to the policy.
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 8080));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 8081));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 8082));
        // 9000-9010 continue: 9005 accepted by the next rule, 9006 by none.
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 9005));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 9006));
        // 81 goto web: no rule there, and a goto does not come back.
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 81));
        // ip saddr vmap: .3 dropped, .2 goes on to "tcp dport 25 accept".
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 25));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 25));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Udp, "10.99.1.2", 22));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_maps_elements_share_its_number_so_the_rules_after_it_keep_theirs(string form)
    {
        var forward = Parse(Vm1Text, Vm1Json, form).Chains.Single(c => c.Name.EndsWith("forward", StringComparison.Ordinal));

        // The listing's six rules: two maps of 3 and 5 elements, two rules, a map of 3, a rule. Numbered on, "tcp dport 25
        // accept" (the sixth) was forward#14.
        Assert.Equal(["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "3", "4", "5.1", "5.2", "5.3", "6"],
            forward.Rules.Select(r => r.Id[(r.Id.LastIndexOf('#') + 1)..]));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Named_verdict_maps_and_an_interface_verdict_map_are_evaluated(string form)
    {
        var policy = Parse(Vm2Text, Vm2Json, form);

        Assert.Empty(policy.Issues);
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 443));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 444));
        // 445 returns from the chain jumped to by iifname, and the base chain accepts it.
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 445));
        // The address map: .3 dropped, the range 10.99.1.0-10.99.1.2 accepted.
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 446));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 446));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Udp, "10.99.1.2", 53));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void The_catch_all_element_of_a_named_map_matches_every_key_no_other_element_holds(string form)
    {
        var policy = Parse(Vm3Text, Vm3Json, form);

        Assert.Empty(policy.Issues);
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 80));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 81));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 81));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Udp, "10.99.1.2", 53));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_verdict_map_and_a_set_on_a_concatenation_give_the_verdict_the_kernel_gave(string form)
    {
        var policy = Parse(Cv1Text, Cv1Json, form);

        Assert.Empty(policy.Issues);
        // ip saddr . tcp dport vmap: .2 . 22 accept, .3 . 22 drop, 10.99.1.0/24 . 8000-8099 jump web (8080 accepted there).
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 22));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 22));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 8080));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 8081));
        // .3 . 23 continue and .2 . 23 in no element both go on to "tcp dport 23 accept".
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 23));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 23));
        // ip saddr . ip daddr . tcp dport { .2 . 10.99.2.2 . 24, .3 . 10.99.2.0/24 . 25 } accept: each field its element's.
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 24));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 24));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 25));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 25));
        // meta l4proto . udp dport vmap { udp . 53 : accept }.
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Udp, "10.99.1.2", 53));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Udp, "10.99.1.2", 54));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Named_maps_and_sets_on_a_concatenation_and_an_interface_in_one_are_evaluated(string form)
    {
        var policy = Parse(Cv2Text, Cv2Json, form);

        Assert.Empty(policy.Issues);
        // @allow: .2 . 30-31 accept, .3 . 30 drop; @pairs: .3 . tcp . 31 accept; iifname . tcp dport: fvr1 . 32 accept.
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 30));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 31));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 30));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 31));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 32));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 33));
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 34));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_verdict_map_before_other_statements_ends_the_rule_at_an_element_with_a_verdict_and_goes_on_at_continue(string form)
    {
        var policy = Parse(Vs1Text, Vs1Json, form);

        Assert.Empty(policy.Issues);
        // 50 continue: on to "ip saddr 10.99.1.2 accept" (.2), or past it to "tcp dport { 50, 53 } ip saddr 10.99.1.3 accept" (.3).
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 50));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 50));
        // 51 drop, 52 accept whatever the source: the statements after the map are never read for them.
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 51));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 52));
        // 53 is in no element: on to the next rule, which takes .3 only.
        Assert.Equal(PolicyDecision.Blocked, Decide(policy, IpProtocol.Tcp, "10.99.1.2", 53));
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 53));
        // A counter after the map.
        Assert.Equal(PolicyDecision.Allowed, Decide(policy, IpProtocol.Tcp, "10.99.1.3", 54));
    }

    [Fact]
    public void A_negated_lookup_of_a_concatenation_stays_not_understood()
    {
        var policy = NftTextParser.Parse("""
            table inet f {
              chain forward {
                type filter hook forward priority filter; policy drop;
                ip saddr . tcp dport != { 10.0.0.1 . 22 } accept
              }
            }
            """, "vm.nft");

        Assert.Equal(["a lookup of a concatenation in a set"], policy.Issues.Select(i => i.Expected));
        Assert.Equal(PolicyDecision.Undecided, Decide(policy, IpProtocol.Tcp, "10.0.0.1", 22));
    }
}
