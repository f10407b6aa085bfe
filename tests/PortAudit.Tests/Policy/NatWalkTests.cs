using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// The nat chains before the filter walked as the kernel walks them: an accept or RETURN before a DNAT leaves the
/// connection untranslated, and a DNAT in a chain nat PREROUTING jumps to (Docker's layout) applies (the kernel
/// differential test's n1 and d1).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NatWalkTests
{
    private static PolicyQuery Tcp(string client, int port) => new(IpProtocol.Tcp, IpAddr.Parse(client), 50000, IpAddr.Parse("10.99.2.2"), port);

    private const string Iptables = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :PUB - [0:0]
        -A PREROUTING -s 10.99.1.3/32 -j RETURN
        -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.99.2.2:80
        -A PREROUTING -p tcp -j PUB
        -A PUB -p tcp -m tcp --dport 8081 -j DNAT --to-destination 10.99.2.2:80
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -d 10.99.2.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
        COMMIT
        """;

    [Fact]
    public void An_nftables_accept_before_the_dnat_leaves_the_connection_untranslated()
    {
        var policy = NftTextParser.Parse("""
            table ip n {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                ip saddr 10.99.1.3 accept
                tcp dport 8080 dnat to 10.99.2.2:80
              }
            }
            table inet f {
              chain forward {
                type filter hook forward priority 0; policy drop;
                ct state established,related accept
                ip daddr 10.99.2.2 tcp dport 80 accept
              }
            }
            """, "n1.nft");

        var exempt = PolicyEvaluator.Evaluate(policy, Tcp("10.99.1.3", 8080), PolicyPoint.Network);
        var translated = PolicyEvaluator.Evaluate(policy, Tcp("10.99.1.2", 8080), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward"), (exempt.Decision, exempt.DecidedBy));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2 after dnat to 10.99.2.2:80 (ip n pre#2)"), (translated.Decision, translated.DecidedBy));
    }

    [Fact]
    public void An_iptables_return_before_the_dnat_leaves_the_connection_untranslated()
    {
        var policy = IptablesSaveParser.Parse(Iptables, "d1.rules");

        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("10.99.1.3", 8080), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp("10.99.1.2", 8080), PolicyPoint.Network).Decision);
    }

    [Fact]
    public void A_dnat_in_a_chain_nat_prerouting_jumps_to_applies()
    {
        var policy = IptablesSaveParser.Parse(Iptables, "d1.rules");

        var published = PolicyEvaluator.Evaluate(policy, Tcp("10.99.1.2", 8081), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Allowed, "FORWARD#2 after -j DNAT --to-destination 10.99.2.2:80 (nat PUB#1)"), (published.Decision, published.DecidedBy));
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp("10.99.1.3", 8081), PolicyPoint.Network).Decision);
    }

    [Fact]
    public void A_dnat_to_a_map_it_matches_makes_the_verdict_undecided()
    {
        var policy = NftTextParser.Parse("""
            table ip n {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                tcp dport 9000 dnat to tcp dport map { 9000 : 10.99.2.2 }
              }
            }
            table inet f {
              chain forward {
                type filter hook forward priority 0; policy drop;
                ip daddr 10.99.2.2 tcp dport 9000 accept
              }
            }
            """, "map.nft");

        var verdict = PolicyEvaluator.Evaluate(policy, Tcp("10.99.1.2", 9000), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Undecided, "ip n pre#1"), (verdict.Decision, verdict.DecidedBy));
    }
}
