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

}
