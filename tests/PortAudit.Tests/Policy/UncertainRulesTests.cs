using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Every rule that only may match is weighed, not the first alone: a drop that may match, then an accept that may match,
/// before a policy of drop leaves the connection undecided (kernel case hx1: the kernel passed tcp/84 and tcp/85 that the
/// head called blocked), and in the nat chains each rule that may match may be the first that does (kernel case dk1,
/// Docker's layout: the DOCKER chain returns for docker0, then translates for every other interface; the kernel
/// translated and passed tcp/8080, which the head called blocked).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class UncertainRulesTests
{
    private static (PolicyDecision, string) Verdict(FirewallPolicy policy, byte protocol, int port, string client = "10.99.1.2")
    {
        var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(protocol, IpAddr.Parse(client), 50000, IpAddr.Parse("10.99.2.2"), port), PolicyPoint.Network);
        return (verdict.Decision, verdict.DecidedBy);
    }

    [Fact]
    public void An_accept_that_may_match_after_a_drop_that_may_match_leaves_the_connection_undecided()
    {
        var policy = IptablesSaveParser.Parse("""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -m iprange --src-range 10.99.1.3-10.99.1.3 -j DROP
            -A FORWARD -p tcp -m multiport --dports 80,81:83 -m conntrack --ctstate NEW -j ACCEPT
            -A FORWARD -p tcp -m tcp --dport 84 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT
            -A FORWARD -p tcp -m tcp --dport 85 -m limit --limit 10/sec -j ACCEPT
            -A FORWARD -p tcp -m tcp --dport 86 -j REJECT --reject-with tcp-reset
            COMMIT
            """, "hx1.rules");

        // Kernel (hx1): 84 and 85 passed; 88 dropped, which no accept may let through.
        Assert.Equal((PolicyDecision.Undecided, "FORWARD#4"), Verdict(policy, IpProtocol.Tcp, 84));
        Assert.Equal((PolicyDecision.Undecided, "FORWARD#5"), Verdict(policy, IpProtocol.Tcp, 85));
        Assert.Equal((PolicyDecision.Blocked, "policy of FORWARD"), Verdict(policy, IpProtocol.Tcp, 88));
    }

    [Fact]
    public void The_same_holds_past_a_jump_and_in_nftables()
    {
        var policy = NftTextParser.Parse("""
            table inet f {
              chain screen {
                iifname "wan0" drop
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                jump screen
                tcp dport 84 tcp flags syn accept
              }
            }
            """, "jump.nft");

        Assert.Equal((PolicyDecision.Undecided, "inet f forward#2"), Verdict(policy, IpProtocol.Tcp, 84));
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, IpProtocol.Tcp, 85).Item1);
    }

    [Fact]
    public void Dockers_return_for_its_bridge_does_not_hide_the_translation_for_other_interfaces()
    {
        var policy = IptablesSaveParser.Parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            -A PREROUTING -j DOCKER
            -A DOCKER -i docker0 -j RETURN
            -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.99.2.2:80
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -d 10.99.2.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
            COMMIT
            """, "dk1.rules");

        // Kernel (dk1): 8080 translated and passed, 80 passed, 81 dropped.
        Assert.Equal((PolicyDecision.Undecided, "nat DOCKER#2"), Verdict(policy, IpProtocol.Tcp, 8080));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#2"), Verdict(policy, IpProtocol.Tcp, 80));
        Assert.Equal((PolicyDecision.Blocked, "policy of FORWARD"), Verdict(policy, IpProtocol.Tcp, 81));
    }

    [Fact]
    public void A_goto_that_may_match_before_the_same_goto_decides_nothing()
    {
        // firewalld's layout: the zone of the interface, then the default zone, here the same.
        var policy = NftTextParser.Parse("""
            table inet firewalld {
              chain filter_INPUT {
                type filter hook input priority filter + 10; policy accept;
                ct state { established, related } accept
                ct status dnat accept
                iifname "lo" accept
                ct state invalid drop
                jump filter_INPUT_ZONES
                reject with icmpx admin-prohibited
              }
              chain filter_INPUT_ZONES {
                iifname "fvs" goto filter_IN_public
                goto filter_IN_public
              }
              chain filter_IN_public {
                jump filter_IN_public_pre
                jump filter_IN_public_deny
                jump filter_IN_public_allow
                meta l4proto { icmp, ipv6-icmp } accept
              }
              chain filter_IN_public_pre {
              }
              chain filter_IN_public_deny {
                ip saddr 10.99.1.3 drop
              }
              chain filter_IN_public_allow {
                tcp dport 22 ct state { new, untracked } accept
                tcp dport 443 ct state { new, untracked } accept
              }
            }
            """, "fd1.nft");

        (PolicyDecision, string) Host(byte protocol, int port, string client = "10.99.1.2")
        {
            var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(protocol, IpAddr.Parse(client), 50000, IpAddr.Parse("10.99.2.2"), port), PolicyPoint.Host);
            return (verdict.Decision, verdict.DecidedBy);
        }

        // Kernel (fd1, on the server): 22 and 443 passed, 80 and udp/53 rejected, 22 from 10.99.1.3 dropped.
        Assert.Equal((PolicyDecision.Allowed, "inet firewalld filter_IN_public_allow#1"), Host(IpProtocol.Tcp, 22));
        Assert.Equal((PolicyDecision.Allowed, "inet firewalld filter_IN_public_allow#2"), Host(IpProtocol.Tcp, 443));
        Assert.Equal((PolicyDecision.Blocked, "inet firewalld filter_INPUT#6"), Host(IpProtocol.Tcp, 80));
        Assert.Equal((PolicyDecision.Blocked, "inet firewalld filter_INPUT#6"), Host(IpProtocol.Udp, 53));
        Assert.Equal((PolicyDecision.Blocked, "inet firewalld filter_IN_public_deny#1"), Host(IpProtocol.Tcp, 22, "10.99.1.3"));
    }

    [Fact]
    public void Rules_that_may_match_past_the_walk_bound_leave_the_verdict_undecided()
    {
        // Seventy translations that may match, none of which changes the verdict, each one more walk.
        var rules = string.Join("\n", Enumerable.Range(1, 70).Select(i => $"iifname \"wan{i}\" tcp dport 8080 dnat ip to 10.99.2.2:81"));
        var policy = NftTextParser.Parse($$"""
            table inet f {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
            {{rules}}
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
              }
            }
            """, "many.nft");

        Assert.Equal((PolicyDecision.Undecided, "inet f pre#1"), Verdict(policy, IpProtocol.Tcp, 8080));
    }
}
