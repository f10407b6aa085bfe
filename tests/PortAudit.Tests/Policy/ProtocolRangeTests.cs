namespace PortAudit.Tests.Policy;

/// <summary>
/// Ranges of IP protocols, inline (<c>meta l4proto 5-7</c>) and in an interval set (<c>type inet_proto; flags
/// interval</c>, as upstream nftables' sets__0001named_interval_0.nft has), loaded on a real router and decided as its
/// kernel decided TCP connections across it, read from the ruleset as written and as nft and nft -j list it back.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class ProtocolRangeKernelTests
{
    // Each rule's port, and whether the kernel passes a TCP (6) connection to it.
    private static readonly (int Port, string Rule, bool Passes)[] Rules =
    [
        (100, "ip protocol @low", true),
        (101, "ip protocol @high", false),
        (102, "meta l4proto 5-7", true),
        (103, "ip protocol != 1-5", true),
        (104, "meta l4proto { 7-20, 41 }", false),
        (105, "ip6 nexthdr 1-17", false),
    ];

    private static string Ruleset() => $$"""
        table inet f {
          set low { type inet_proto; flags interval; elements = { 1-10 } }
          set high { type inet_proto; flags interval; elements = { 10-20, 50-60 } }
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
        {{string.Join('\n', Rules.Select(r => $"    tcp dport {r.Port} {r.Rule} accept"))}}
          }
        }
        """;

    [NamespaceRouterFact]
    public void Protocol_ranges_decide_connections_as_the_kernel_did()
    {
        using var router = new NamespaceRouter("paproto");
        string rules = Ruleset();
        router.Load(rules);
        router.Listen(Rules.Select(r => r.Port));
        var passed = router.Passed(Rules.Select(r => r.Port));

        Assert.Equal(Rules.Select(r => $"{r.Rule}: {r.Passes}"), Rules.Select(r => $"{r.Rule}: {passed[r.Port]}"));
        router.AssertDecidedAsTheKernel(rules, passed, port => Rules.Single(r => r.Port == port).Rule);
    }
}
