using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Connections exempted from connection tracking (nftables <c>notrack</c>, iptables <c>-j CT --notrack</c>) in a chain
/// before it: later rules see them untracked, not new, and no nat chain translates them; a notrack in a chain after
/// connection tracking does nothing. Each ruleset was loaded on a router and crossed by real connections (the kernel
/// differential test's h1, nt1, nt2, nt3 and nt4); the head made every connection a notrack may match undecided.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class UntrackedConnectionTests
{
    private static (PolicyDecision, string) Verdict(FirewallPolicy policy, int port, string client = "10.99.1.2")
    {
        var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Udp, IpAddr.Parse(client), 50000, IpAddr.Parse("10.99.2.2"), port), PolicyPoint.Network);
        return (verdict.Decision, verdict.DecidedBy);
    }

    [Fact]
    public void Iptables_ct_notrack_makes_the_connection_untracked_not_new()
    {
        var policy = IptablesSaveParser.Parse("""
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -p udp --dport 53 -j CT --notrack
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -p udp -m state --state NEW -m udp --dport 53 -j ACCEPT
            -A FORWARD -p udp -m state --state NEW -m udp --dport 54 -j ACCEPT
            COMMIT
            """, "h1.rules");

        // Kernel (h1): udp/53 dropped, udp/54 passed.
        Assert.Equal((PolicyDecision.Blocked, "policy of FORWARD"), Verdict(policy, 53));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#3"), Verdict(policy, 54));
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Nftables_notrack_makes_the_connection_untracked_not_new()
    {
        var policy = NftTextParser.Parse("""
            table inet f {
              chain raw {
                type filter hook prerouting priority raw; policy accept;
                udp dport { 53, 54 } notrack
              }
              chain forward {
                type filter hook forward priority 0; policy drop;
                ct state established,related accept
                ct state new udp dport 53 accept
                ct state untracked udp dport 54 accept
              }
            }
            """, "nt1.nft");

        // Kernel (nt1): udp/53 dropped, udp/54 passed.
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 53));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), Verdict(policy, 54));
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, 55).Item1);
        Assert.Empty(policy.Issues);
    }

    private const string Nftables = """
        table inet f {
          chain raw {
            type filter hook prerouting priority raw; policy accept;
            ip saddr 10.99.1.3 accept
            udp dport { 53, 55 } notrack
          }
          chain pre {
            type nat hook prerouting priority dstnat; policy accept;
            udp dport 55 dnat ip to 10.99.2.2:56
          }
          chain late {
            type filter hook prerouting priority filter; policy accept;
            udp dport 57 notrack
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            ct state untracked udp dport 53 accept
            ct state untracked udp dport 55 accept
            ct state new udp dport { 56, 57 } accept
            udp sport 53-57 accept
          }
        }
        """;

    [Fact]
    public void Nftables_untracked_connections_are_not_translated_and_a_late_notrack_does_nothing()
    {
        var policy = NftTextParser.Parse(Nftables, "nt2.nft");

        // Kernel (nt2): 53 passed untracked, but not from 10.99.1.3 (accepted before the notrack, so tracked and new);
        // 55 reached the server on 55 untracked, on 56 from 10.99.1.3; 57 passed as new (the notrack at priority 0
        // comes after tracking); 58 dropped.
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, 53));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), Verdict(policy, 53, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), Verdict(policy, 55));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#4 after dnat ip to 10.99.2.2:56 (inet f pre#1)"), Verdict(policy, 55, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#4"), Verdict(policy, 57));
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, 58).Item1);
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Iptables_untracked_connections_are_not_translated()
    {
        var policy = IptablesSaveParser.Parse("""
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -s 10.99.1.3/32 -j ACCEPT
            -A PREROUTING -p udp -m multiport --dports 53,55 -j CT --notrack
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p udp -m udp --dport 55 -j DNAT --to-destination 10.99.2.2:56
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -p udp -m conntrack --ctstate UNTRACKED -m udp --dport 53 -j ACCEPT
            -A FORWARD -p udp -m state --state UNTRACKED -m udp --dport 55 -j ACCEPT
            -A FORWARD -p udp -m state --state NEW -m udp --dport 56 -j ACCEPT
            -A FORWARD -p udp -m udp --sport 53:57 -j ACCEPT
            COMMIT
            """, "nt3.rules");

        // Kernel (nt3): as nt2.
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#2"), Verdict(policy, 53));
        Assert.Equal((PolicyDecision.Blocked, "policy of FORWARD"), Verdict(policy, 53, "10.99.1.3"));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#3"), Verdict(policy, 55));
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#4 after -j DNAT --to-destination 10.99.2.2:56 (nat PREROUTING#1)"), Verdict(policy, 55, "10.99.1.3"));
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void Nftables_ct_status_never_matches_an_untracked_connection()
    {
        var policy = NftTextParser.Parse("""
            table inet f {
              chain raw {
                type filter hook prerouting priority raw; policy accept;
                udp dport { 59, 60 } notrack
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                udp dport 59 ct status ! dnat accept
                udp dport 60 ct state untracked ct status ! dnat accept
                udp dport 61 ct status ! dnat accept
                udp sport 53-61 accept
              }
            }
            """, "nt4.nft");

        // Kernel (nt4): 59 and 60 dropped (an untracked packet has no status to test), 61 passed.
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, 59).Item1);
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, 60).Item1);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#4"), Verdict(policy, 61));
    }

    [Fact]
    public void A_chain_before_connection_tracking_sees_no_state_yet()
    {
        var policy = NftTextParser.Parse("""
            table inet f {
              chain raw {
                type filter hook prerouting priority raw; policy accept;
                tcp dport 80 ct state invalid drop
                tcp dport 81 ct state new drop
              }
              chain forward {
                type filter hook forward priority filter; policy accept;
              }
            }
            """, "rw1.nft");

        (PolicyDecision, string) Tcp(int port)
        {
            var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port), PolicyPoint.Network);
            return (verdict.Decision, verdict.DecidedBy);
        }

        // Kernel (rw1): 80 dropped (its state is invalid at priority raw), 81 and 82 passed.
        Assert.Equal((PolicyDecision.Blocked, "inet f raw#1"), Tcp(80));
        Assert.Equal((PolicyDecision.Allowed, "policy of inet f forward"), Tcp(81));
        Assert.Equal((PolicyDecision.Allowed, "policy of inet f forward"), Tcp(82));
    }

    [Fact]
    public void A_notrack_that_may_match_is_undecided_only_where_its_outcomes_differ()
    {
        var policy = NftTextParser.Parse("""
            table inet f {
              chain raw {
                type filter hook prerouting priority raw; policy accept;
                iifname "wan0" udp dport { 53, 54 } notrack
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state new udp dport 53 accept
                ct state new,untracked udp dport 54 accept
              }
            }
            """, "maybe.nft");

        Assert.Equal((PolicyDecision.Undecided, "inet f raw#1"), Verdict(policy, 53));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), Verdict(policy, 54));
    }
}
