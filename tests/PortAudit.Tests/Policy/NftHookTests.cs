using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// nftables base chains on the hooks around input and forward: a prerouting filter chain and a drop in a prerouting nat
/// chain refuse what the forward chain accepts (the kernel differential test's c1 and c2); a chain whose verdicts are not
/// evaluated (ingress) is listed as not understood.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NftHookTests
{
    private const string Forward = """
        table inet f {
          chain forward {
            type filter hook forward priority 0; policy drop;
            ct state established,related accept
            tcp dport { 80, 81 } accept
          }
        }
        """;

    private static PolicyQuery Tcp(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    [Fact]
    public void A_prerouting_filter_chain_is_on_the_path_before_input_and_forward()
    {
        var policy = NftTextParser.Parse("""
            table inet p {
              chain pre {
                type filter hook prerouting priority 0; policy accept;
                tcp dport 81 drop
              }
            }
            """ + "\n" + Forward, "c1.nft");

        var refused = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);
        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "inet p pre#1"), (refused.Decision, refused.DecidedBy));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2"), (web.Decision, web.DecidedBy));
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Host).Decision);
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void A_drop_in_a_prerouting_nat_chain_blocks_the_connection()
    {
        var policy = NftTextParser.Parse("""
            table ip n {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                tcp dport 81 drop
              }
            }
            """ + "\n" + Forward, "c2.nft");

        var refused = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "ip n pre#1"), (refused.Decision, refused.DecidedBy));
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network).Decision);
    }

    [Fact]
    public void A_postrouting_filter_chain_judges_forwarded_flows_not_those_to_the_host()
    {
        var policy = NftTextParser.Parse(Forward + "\n" + """
            table inet q {
              chain post {
                type filter hook postrouting priority 0; policy accept;
                tcp dport 81 drop
              }
            }
            """, "post.nft");

        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network).Decision);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Host).Decision);
    }

    [Fact]
    public void A_prerouting_chain_before_dstnat_sees_the_destination_untranslated()
    {
        var policy = NftTextParser.Parse("""
            table ip n {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                tcp dport 8080 dnat to 10.99.2.2:80
              }
            }
            table inet p {
              chain early {
                type filter hook prerouting priority raw; policy accept;
                ip saddr 10.99.1.3 tcp dport 8080 drop
              }
              chain late {
                type filter hook prerouting priority 0; policy accept;
                tcp dport 8080 drop
              }
            }
            """ + "\n" + Forward, "pre.nft");

        var early = PolicyEvaluator.Evaluate(policy, Tcp(8080) with { Source = IpAddr.Parse("10.99.1.3") }, PolicyPoint.Network);
        var late = PolicyEvaluator.Evaluate(policy, Tcp(8080), PolicyPoint.Network);

        // The chain at raw priority sees 8080 as sent; the one after dstnat sees 80, as translated.
        Assert.Equal((PolicyDecision.Blocked, "inet p early#1"), (early.Decision, early.DecidedBy));
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#2 after dnat to 10.99.2.2:80 (ip n pre#1)"), (late.Decision, late.DecidedBy));
    }

    [Fact]
    public void An_ingress_chain_that_can_drop_is_listed_as_not_understood()
    {
        var policy = NftTextParser.Parse("""
            table netdev edge {
              chain in {
                type filter hook ingress device "eth0" priority 0; policy accept;
                tcp dport 81 drop
              }
              chain counted {
                type filter hook ingress device "eth1" priority 0; policy accept;
                counter
              }
            }
            """ + "\n" + Forward, "ingress.nft");

        var issue = Assert.Single(policy.Issues);
        Assert.Equal((3, "chain netdev edge in (hook netdev ingress)"), (issue.Location.Line, issue.Construct));
    }
}
