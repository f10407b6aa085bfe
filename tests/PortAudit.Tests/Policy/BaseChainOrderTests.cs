using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Base chains of one hook in the kernel's order, each of which must accept (the kernel differential test's p1 and u1).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class BaseChainOrderTests
{
    private static PolicyQuery Tcp(int port) => new(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port);

    [Fact]
    public void A_named_priority_with_an_offset_orders_the_chains_as_nft_does()
    {
        const string text = """
            table inet f {
              chain late {
                type filter hook forward priority filter + 10; policy accept;
                tcp dport 80 drop
              }
              chain early {
                type filter hook forward priority filter - 10; policy accept;
                tcp dport 80 reject with tcp reset
              }
            }
            """;
        var policy = NftTextParser.Parse(text, "p1.nft");

        var verdict = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);

        Assert.Equal((10, -10), (policy.Chain("inet f late")!.Priority, policy.Chain("inet f early")!.Priority));
        Assert.Equal((PolicyDecision.Blocked, "inet f early#1"), (verdict.Decision, verdict.DecidedBy));
    }

    [Fact]
    public void A_later_chain_that_surely_blocks_decides_past_an_earlier_undecided_one()
    {
        var policy = NftTextParser.Parse("""
            table inet f {
              chain early {
                type filter hook forward priority -10; policy accept;
                iifname "wan0" drop
              }
              chain late {
                type filter hook forward priority 10; policy drop;
                ct state established,related accept
                tcp dport 80 accept
              }
            }
            """, "u1.nft");

        var refused = PolicyEvaluator.Evaluate(policy, Tcp(81), PolicyPoint.Network);
        var web = PolicyEvaluator.Evaluate(policy, Tcp(80), PolicyPoint.Network);

        Assert.Equal((PolicyDecision.Blocked, "policy of inet f late"), (refused.Decision, refused.DecidedBy));
        // Through the later chain, the interface of the earlier one still decides.
        Assert.Equal((PolicyDecision.Undecided, "inet f early#1"), (web.Decision, web.DecidedBy));
    }
}
