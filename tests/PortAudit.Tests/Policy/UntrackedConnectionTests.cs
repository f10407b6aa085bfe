using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Conditions a flow record cannot decide about connection tracking: packets exempted from it (notrack) reach later rules
/// untracked, not new. Each makes the verdict undecided and is listed at its line, where the evaluator had answered as
/// for any new connection (the kernel differential test's h1 and nt1).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class UntrackedConnectionTests
{
    private static PolicyQuery Query(byte protocol, int port) => new(protocol, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    [Fact]
    public void Iptables_ct_notrack_makes_a_connection_it_matches_undecided()
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

        var dns = PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Udp, 53), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Undecided, "raw PREROUTING#1"), (dns.Decision, dns.DecidedBy));
        var other = PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Udp, 54), PolicyPoint.Network);
        Assert.Equal((PolicyDecision.Allowed, "FORWARD#3"), (other.Decision, other.DecidedBy));
        var issue = Assert.Single(policy.Issues);
        Assert.Equal((4, "-j CT --notrack"), (issue.Location.Line, issue.Construct));
    }

    [Fact]
    public void Nftables_notrack_makes_a_connection_it_matches_undecided()
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

        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Udp, 53), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Undecided, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Udp, 54), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Query(IpProtocol.Udp, 55), PolicyPoint.Network).Decision);
        Assert.Equal(4, Assert.Single(policy.Issues).Location.Line);
    }
}
