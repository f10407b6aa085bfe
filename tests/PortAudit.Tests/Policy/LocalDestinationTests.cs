using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Report.Audits;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Policy;

/// <summary>
/// iptables <c>-m addrtype --dst-type LOCAL</c> holds for every connection a host's own firewall judges (one to its own
/// address): ufw's ufw-not-local chain returns on it and drops the rest, so on the head every connection to an Ubuntu
/// host with ufw was undecided. The ruleset is ufw's layout (kernel case uf1, loaded on the server: 22 and 80 from
/// 10.99.1.3 passed, 80 from 10.99.1.2, 81 and udp/137 dropped).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class LocalDestinationTests
{
    private const string Ufw = """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        :ufw-after-input - [0:0]
        :ufw-after-logging-input - [0:0]
        :ufw-before-input - [0:0]
        :ufw-not-local - [0:0]
        :ufw-reject-input - [0:0]
        :ufw-skip-to-policy-input - [0:0]
        :ufw-user-input - [0:0]
        -A INPUT -j ufw-before-input
        -A INPUT -j ufw-after-input
        -A INPUT -j ufw-after-logging-input
        -A INPUT -j ufw-reject-input
        -A ufw-after-input -p udp -m udp --dport 137 -j ufw-skip-to-policy-input
        -A ufw-after-input -m addrtype --dst-type BROADCAST -j ufw-skip-to-policy-input
        -A ufw-after-logging-input -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
        -A ufw-before-input -i lo -j ACCEPT
        -A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A ufw-before-input -m conntrack --ctstate INVALID -j DROP
        -A ufw-before-input -p icmp -m icmp --icmp-type 8 -j ACCEPT
        -A ufw-before-input -p udp -m udp --sport 67 --dport 68 -j ACCEPT
        -A ufw-before-input -j ufw-not-local
        -A ufw-before-input -d 224.0.0.251/32 -p udp -m udp --dport 5353 -j ACCEPT
        -A ufw-before-input -j ufw-user-input
        -A ufw-not-local -m addrtype --dst-type LOCAL -j RETURN
        -A ufw-not-local -m addrtype --dst-type MULTICAST -j RETURN
        -A ufw-not-local -m addrtype --dst-type BROADCAST -j RETURN
        -A ufw-not-local -j DROP
        -A ufw-skip-to-policy-input -j DROP
        -A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT
        -A ufw-user-input -s 10.99.1.3/32 -p tcp -m tcp --dport 80 -j ACCEPT
        COMMIT
        """;

    private static (PolicyDecision, string) Verdict(FirewallPolicy policy, byte protocol, int port, string client = "10.99.1.2", PolicyPoint point = PolicyPoint.Host)
    {
        var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(protocol, IpAddr.Parse(client), 50000, IpAddr.Parse("10.99.2.2"), port), point);
        return (verdict.Decision, verdict.DecidedBy);
    }

    [Fact]
    public void Ufw_is_decided_for_connections_to_its_host()
    {
        var policy = IptablesSaveParser.Parse(Ufw, "uf1.rules");

        Assert.Equal((PolicyDecision.Allowed, "ufw-user-input#1"), Verdict(policy, IpProtocol.Tcp, 22));
        Assert.Equal((PolicyDecision.Blocked, "policy of INPUT"), Verdict(policy, IpProtocol.Tcp, 80));
        Assert.Equal((PolicyDecision.Allowed, "ufw-user-input#2"), Verdict(policy, IpProtocol.Tcp, 80, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Blocked, "policy of INPUT"), Verdict(policy, IpProtocol.Tcp, 81));
        Assert.Equal((PolicyDecision.Blocked, "ufw-skip-to-policy-input#1"), Verdict(policy, IpProtocol.Udp, 137));
    }

    [Fact]
    public void Where_the_destination_is_not_known_to_be_local_the_match_stays_open()
    {
        var policy = IptablesSaveParser.Parse("""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m addrtype --dst-type LOCAL -j ACCEPT
            COMMIT
            """, "fwd.rules");

        Assert.Equal(PolicyDecision.Undecided, Verdict(policy, IpProtocol.Tcp, 80, point: PolicyPoint.Network).Item1);
    }

    // Kernel case fb1, loaded on the server: 80, 82 and 83 passed, 81 dropped. Its two listings.
    private const string Nftables = """
        table inet f {
          chain input {
            type filter hook input priority filter; policy drop;
            ct state established,related accept
            fib daddr type != local drop
            tcp dport 80 fib daddr type local accept
            fib daddr type local tcp dport 81 drop
            fib daddr . iif type local tcp dport 83 accept
            tcp dport { 81, 82 } accept
          }
        }
        """;

    private const string NftablesJson = """
        {"nftables": [
          {"table": {"family": "inet", "name": "f"}},
          {"chain": {"family": "inet", "table": "f", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "!=", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}}, {"drop": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 81}}, {"drop": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr", "iif"]}}, "right": "local"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 83}}, {"accept": null}]}},
          {"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [81, 82]}}}, {"accept": null}]}}
        ]}
        """;

    [Fact]
    public void Nftables_fib_daddr_type_local_is_decided_as_dst_type_local_is()
    {
        foreach (var policy in new[] { NftTextParser.Parse(Nftables, "fb1.nft"), NftJsonParser.Parse(NftablesJson, "fb1.json") })
        {
            Assert.Empty(policy.Issues);
            Assert.Equal((PolicyDecision.Allowed, "inet f input#3"), Verdict(policy, IpProtocol.Tcp, 80));
            Assert.Equal((PolicyDecision.Blocked, "inet f input#4"), Verdict(policy, IpProtocol.Tcp, 81));
            Assert.Equal((PolicyDecision.Allowed, "inet f input#6"), Verdict(policy, IpProtocol.Tcp, 82));
            // Looked up on the incoming interface, which a flow does not name: it may match.
            Assert.Equal((PolicyDecision.Undecided, "inet f input#5"), Verdict(policy, IpProtocol.Tcp, 83));
            // Where the point is not said, the destination may not be the host's own.
            Assert.Equal(PolicyDecision.Undecided, Verdict(policy, IpProtocol.Tcp, 80, point: PolicyPoint.Unknown).Item1);
        }
    }

    // Kernel cases at1 (nftables) and at2 (iptables), loaded on the server: 80, 81, 82 and ping passed, 83 dropped.
    private const string AddressTypesHost = """
        table inet f {
          chain input {
            type filter hook input priority filter; policy drop;
            ct state established,related accept
            fib daddr type broadcast drop
            fib daddr type multicast drop
            tcp dport 80 accept
            tcp dport 81 fib daddr type { local, broadcast } accept
            tcp dport 82 fib daddr type != multicast accept
            tcp dport 83 fib daddr type { broadcast, multicast } accept
            meta l4proto { icmp, ipv6-icmp } accept
          }
        }
        """;

    private const string AddressTypesIptables = """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -m addrtype --dst-type BROADCAST -j DROP
        -A INPUT -m addrtype --dst-type MULTICAST -j DROP
        -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 81 -m addrtype --dst-type LOCAL,BROADCAST -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 82 -m addrtype ! --dst-type MULTICAST -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 83 -m addrtype --dst-type BROADCAST,MULTICAST -j ACCEPT
        -A INPUT -p icmp -j ACCEPT
        COMMIT
        """;

    // Kernel cases at3 (IPv4) and at4 (IPv6), loaded on the router: 80, 81, 82 and ping passed, 83 dropped, both families.
    private const string AddressTypesRouter = """
        table inet f {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            fib daddr type multicast drop
            tcp dport 80 accept
            tcp dport 81 fib daddr type broadcast drop
            tcp dport 81 accept
            tcp dport 82 fib daddr type != multicast accept
            tcp dport 83 fib daddr type multicast accept
            meta l4proto { icmp, ipv6-icmp } fib daddr type broadcast drop
            meta l4proto { icmp, ipv6-icmp } accept
          }
        }
        """;

    private static (PolicyDecision, string) To(FirewallPolicy policy, byte protocol, int port, string client, string server, PolicyPoint point)
    {
        var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(protocol, IpAddr.Parse(client), 50000, IpAddr.Parse(server), port), point);
        return (verdict.Decision, verdict.DecidedBy);
    }

    [Fact]
    public void Broadcast_and_multicast_types_are_decided_where_the_address_or_the_host_decides_them()
    {
        foreach (var (policy, chain) in new[] { (NftTextParser.Parse(AddressTypesHost, "at1.nft"), "inet f input#"), (IptablesSaveParser.Parse(AddressTypesIptables, "at2.rules"), "INPUT#") })
        {
            Assert.Empty(policy.Issues);
            // A host's own unicast address is neither broadcast nor multicast.
            Assert.Equal((PolicyDecision.Allowed, chain + "4"), Verdict(policy, IpProtocol.Tcp, 80));
            Assert.Equal((PolicyDecision.Allowed, chain + "5"), Verdict(policy, IpProtocol.Tcp, 81));
            Assert.Equal((PolicyDecision.Allowed, chain + "6"), Verdict(policy, IpProtocol.Tcp, 82));
            Assert.Equal((PolicyDecision.Blocked, "policy of " + chain.TrimEnd('#')), Verdict(policy, IpProtocol.Tcp, 83));
            Assert.Equal((PolicyDecision.Allowed, chain + "8"), Verdict(policy, IpProtocol.Icmp, 0));
            // A group and the limited broadcast are known by their address wherever they are seen.
            Assert.Equal((PolicyDecision.Blocked, chain + "3"), To(policy, IpProtocol.Udp, 5353, "10.99.1.2", "224.0.0.251", PolicyPoint.Host));
            Assert.Equal((PolicyDecision.Blocked, chain + "2"), To(policy, IpProtocol.Udp, 67, "0.0.0.0", "255.255.255.255", PolicyPoint.Host));
            Assert.Equal("tcp any -> any:81 dst-type local,broadcast", FirewallReportWriter.Match(policy.Chains.First(c => c.Hook == "input").Rules[4]));
        }

        var router = NftTextParser.Parse(AddressTypesRouter, "at3.nft");
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), To(router, IpProtocol.Tcp, 80, "10.99.1.2", "10.99.2.2", PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#6"), To(router, IpProtocol.Tcp, 82, "10.99.1.2", "10.99.2.2", PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), To(router, IpProtocol.Tcp, 83, "10.99.1.2", "10.99.2.2", PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Blocked, "inet f forward#2"), To(router, IpProtocol.Udp, 5353, "10.99.1.2", "224.0.0.251", PolicyPoint.Network));
        // A unicast IPv4 address no host is known to have may be a broadcast of a subnet of the router's.
        Assert.Equal((PolicyDecision.Undecided, "inet f forward#4"), To(router, IpProtocol.Tcp, 81, "10.99.1.2", "10.99.2.2", PolicyPoint.Network));
        // IPv6 has no broadcast (at4): 81 and ping are decided.
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#5"), To(router, IpProtocol.Tcp, 81, "fd00:1::2", "fd00:2::2", PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#9"), To(router, 58, 0, "fd00:1::2", "fd00:2::2", PolicyPoint.Network));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), To(router, IpProtocol.Tcp, 83, "fd00:1::2", "fd00:2::2", PolicyPoint.Network));
    }

    // Kernel case at3 on the router: 81 and ping to 10.99.2.2 passed, neither typed broadcast.
    [Fact]
    public void A_router_types_no_broadcast_to_an_address_a_host_of_the_inventory_has_as_its_own()
    {
        var capture = new ScenarioCapture("at3.pcap", 1_700_000_000)
            .Tcp("10.99.1.2", "10.99.2.2", 81, 1, "x"u8.ToArray(), "hi"u8.ToArray())
            .Tcp("10.99.1.2", "10.99.2.3", 81, 2, "x"u8.ToArray(), "hi"u8.ToArray())
            .Tcp("10.99.1.2", "10.99.2.127", 81, 3, "x"u8.ToArray(), "hi"u8.ToArray());
        var (_, flows) = FirewallRun.Of(capture, """
            segments:
              - name: servers
                cidrs: [10.99.2.0/24]
                zone: internal
            hosts:
              - name: server
                addresses: [10.99.2.2]
                roles: [workstation]
              - name: farm
                addresses: [10.99.2.3/32, 10.99.2.0/25]
                roles: [workstation]
            """, AddressTypesRouter, PolicyFormat.NftText, "fw");

        // 10.99.2.2 is the server's own address: not a broadcast, so "tcp dport 81 fib daddr type broadcast drop" does
        // not match and "tcp dport 81 accept" does.
        Assert.Contains("\"policy\":[\"fw: allowed by inet f forward#5\"]", flows.Single(l => l.Contains("\"server\":\"10.99.2.2\"", StringComparison.Ordinal)), StringComparison.Ordinal);
        // 10.99.2.3 is one too (a /32 of a host's), though the host also holds a subnet.
        Assert.Contains("\"policy\":[\"fw: allowed by inet f forward#5\"]", flows.Single(l => l.Contains("\"server\":\"10.99.2.3\"", StringComparison.Ordinal)), StringComparison.Ordinal);
        // An address of the subnet alone may be its broadcast (10.99.2.127 is the /25's).
        Assert.Contains("\"policy\":[\"fw: undecided by inet f forward#4\"]", flows.Single(l => l.Contains("\"server\":\"10.99.2.127\"", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
