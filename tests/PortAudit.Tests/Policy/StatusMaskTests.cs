using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Report.Audits;

namespace PortAudit.Tests.Policy;

/// <summary>A test that builds a <see cref="NamespaceRouter"/>; skipped with the reason when it cannot.</summary>
public sealed class NamespaceRouterFactAttribute : FactAttribute
{
    public NamespaceRouterFactAttribute() => Skip = NamespaceRouter.Unavailable;
}

/// <summary>
/// Masks over the connection status, <c>ct status &amp; dnat == dnat</c> and the like, loaded on a real router and
/// decided as its kernel decided real connections across it: each rule asked directly and through a dnat in prerouting,
/// read from the ruleset as written and from what <c>nft list ruleset</c> and <c>nft -j list ruleset</c> print back
/// (which turns some into the flag tests they are, <c>ct status ! dnat</c>, and others into <c>VALUE / MASK</c>).
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class StatusMaskKernelTests
{
    // Each form as written, and whether the kernel passes a connection through it when its destination was translated
    // and when not. In forward no first packet has snat: postrouting's nat comes after the filter.
    private static readonly (string Form, bool Translated, bool Untranslated)[] Forms =
    [
        ("ct status & dnat == dnat", true, false),
        ("ct status & dnat != dnat", false, true),
        ("ct status & (snat|dnat) != 0", true, false),
        ("ct status & dnat == 0", false, true),
        ("ct status & (snat|dnat) == dnat", true, false),
        ("ct status & (snat|dnat) != dnat", false, true),
        ("ct status & (snat|dnat) != snat|dnat", true, true),
        ("ct status & (snat|dnat) == 0", false, true),
        ("ct status & dnat == snat", false, false),
        ("ct status & dnat != snat", true, true),
        ("ct status & snat == snat", false, false),
    ];

    // Form k's rule accepts port 100 + k, asked for directly, and 200 + k, which prerouting translates 8200 + k to.
    private static int Direct(int k) => 100 + k;

    private static int ToTranslate(int k) => 8200 + k;

    private static string Ruleset()
    {
        var nat = Enumerable.Range(0, Forms.Length).Select(k => $"    tcp dport {ToTranslate(k)} dnat ip to {NamespaceRouter.Server}:{200 + k}");
        var filter = Forms.Select((f, k) => $"    tcp dport {{ {Direct(k)}, {200 + k} }} {f.Form} accept");
        return $$"""
            table inet f {
              chain pre {
                type nat hook prerouting priority dstnat; policy accept;
            {{string.Join('\n', nat)}}
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
            {{string.Join('\n', filter)}}
              }
            }
            """;
    }

    [NamespaceRouterFact]
    public void Status_masks_decide_connections_as_the_kernel_did()
    {
        using var router = new NamespaceRouter("pamask");
        string rules = Ruleset();
        router.Load(rules);
        router.Listen(Enumerable.Range(0, Forms.Length).SelectMany(k => new[] { Direct(k), 200 + k }));
        var passed = router.Passed(Enumerable.Range(0, Forms.Length).SelectMany(k => new[] { Direct(k), ToTranslate(k) }));

        // The kernel first: each form passed what its flags say (a router that passed nothing would prove nothing).
        Assert.Equal(Forms.Select(f => $"{f.Form}: {f.Translated} {f.Untranslated}"),
            Forms.Select((f, k) => $"{f.Form}: {passed[ToTranslate(k)]} {passed[Direct(k)]}"));
        var forms = Enumerable.Range(0, Forms.Length).SelectMany(k => new[] { (Port: Direct(k), k), (Port: ToTranslate(k), k) })
            .ToDictionary(p => p.Port, p => Forms[p.k].Form);
        router.AssertDecidedAsTheKernel(rules, passed, port => forms[port]);
    }
}

/// <summary>
/// Masks over the connection status read as the flag tests they are, in the forms the kernel test (<see
/// cref="StatusMaskKernelTests"/>) does not load: ones written by hand in nft -j, with a mask of other flags, and the
/// rule's conditions as the report writes them.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class StatusMaskTests
{
    private static PolicyVerdict Verdict(FirewallPolicy policy, int port) => PolicyEvaluator.Evaluate(policy,
        new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port), PolicyPoint.Network);

    private static string Rules(string forward) => $$"""
        table inet f {
          chain pre {
            type nat hook prerouting priority dstnat; policy accept;
            tcp dport 8080 dnat ip to 10.99.2.2:80
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            {{forward}}
          }
        }
        """;

    [Fact]
    public void A_mask_of_flags_the_nat_walk_does_not_decide_may_match()
    {
        foreach (string form in new[] { "ct status & (dnat|confirmed) == dnat", "ct status dnat / confirmed,dnat", "ct status & 0x20 == 0x20" })
        {
            var policy = NftTextParser.Parse(Rules($"tcp dport 80 {form} accept"), "mask.nft");
            Assert.Equal((form, PolicyDecision.Undecided), (form, Verdict(policy, 80).Decision));
        }
    }

    [Fact]
    public void Nft_json_masks_written_by_hand_read_as_nft_lists_them()
    {
        // A value of 0 and flags joined by {"|": [...]}, which nft -j itself lists as "!" and "in".
        var policy = NftJsonParser.Parse("""
            {"nftables": [
              {"table": {"family": "inet", "name": "f"}},
              {"chain": {"family": "inet", "table": "f", "name": "pre", "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
              {"chain": {"family": "inet", "table": "f", "name": "forward", "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
              {"rule": {"family": "inet", "table": "f", "chain": "pre", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}, {"dnat": {"family": "ip", "addr": "10.99.2.2", "port": 80}}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "forward", "expr": [{"match": {"op": "==", "left": {"&": [{"ct": {"key": "status"}}, {"|": ["snat", "dnat"]}]}, "right": 0}}, {"accept": null}]}}
            ]}
            """, "mask.json");

        Assert.Empty(policy.Issues);
        Assert.Equal((PolicyDecision.Allowed, "inet f forward#1"), (Verdict(policy, 80).Decision, Verdict(policy, 80).DecidedBy));
        Assert.Equal((PolicyDecision.Blocked, "policy of inet f forward after dnat ip to 10.99.2.2:80 (inet f pre#1)"),
            (Verdict(policy, 8080).Decision, Verdict(policy, 8080).DecidedBy));
    }

    [Fact]
    public void Either_of_two_flag_tests_is_written_with_the_flag_that_is_clear()
    {
        var policy = NftTextParser.Parse(Rules("ct status & (snat|dnat) != dnat accept"), "mask.nft");

        // dnat clear or snat set: an untranslated connection, not a translated one (in forward no first packet has snat).
        Assert.EndsWith(" snat|!dnat", FirewallReportWriter.Match(policy.Chain("inet f forward")!.Rules[0]), StringComparison.Ordinal);
        Assert.Equal(PolicyDecision.Allowed, Verdict(policy, 80).Decision);
        Assert.Equal(PolicyDecision.Blocked, Verdict(policy, 8080).Decision);
    }
}
