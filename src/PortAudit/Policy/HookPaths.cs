namespace PortAudit.Policy;

/// <summary>
/// The paths of a netfilter policy (nftables, iptables): the input hook (connections to the host itself) and the forward
/// hook (connections routed through it), each through its filter base chains in priority order.
/// </summary>
internal static class HookPaths
{
    /// <summary>The hook of connections to the host itself, and its path's name.</summary>
    public const string Input = "input";

    /// <summary>The hook of connections routed through the host, and its path's name.</summary>
    public const string Forward = "forward";

    /// <summary>Hooks a new connection to or through the host crosses.</summary>
    public static readonly string[] Hooks = [Input, Forward];

    /// <summary>The hook every packet coming in crosses first, routed to input or forward after it.</summary>
    public const string Prerouting = "prerouting";

    /// <summary>The hook a forwarded packet crosses last.</summary>
    public const string Postrouting = "postrouting";

    /// <summary>
    /// One path per hook that has chains: the filter chains of prerouting, then those of the hook, then for forward those
    /// of postrouting, each hook's in priority order, as the kernel runs them.
    /// </summary>
    public static IReadOnlyList<PolicyPath> Of(IReadOnlyList<PolicyChain> chains) =>
        Hooks.Select(hook => new PolicyPath(hook, [.. On(chains, Prerouting), .. On(chains, hook), .. hook == Forward ? On(chains, Postrouting) : []]))
            .Where(p => p.Chains.Count > 0)
            .ToList();

    private static IEnumerable<string> On(IReadOnlyList<PolicyChain> chains, string hook) =>
        chains.Where(c => string.Equals(c.Hook, hook, StringComparison.OrdinalIgnoreCase)).OrderBy(c => c.Priority).Select(c => c.Name);

    /// <summary>
    /// The base chains that can filter (a verdict other than accept, a jump, a policy of drop) on no path and not walked for
    /// their translations: an ingress or netdev chain (one device's packets), a bridge chain (bridged frames), a nat chain
    /// off prerouting. Whether a connection crosses one is not known from its flow, so a connection one of them may drop
    /// is undecided (<see cref="PolicyEvaluator"/>). The output hook is left out (a host's own connections out are not
    /// judged), and so is the arp family (no IP flow).
    /// </summary>
    public static IReadOnlyList<PolicyChain> OffPath(IReadOnlyList<PolicyChain> chains)
    {
        var onPaths = Of(chains).SelectMany(p => p.Chains).ToHashSet(StringComparer.Ordinal);
        return [.. chains.Where(c => c.Hook is { } hook && !onPaths.Contains(c.Name) && !TranslatesBeforeFilter(c) && !c.AcceptsAll
                                     && !hook.Contains("output", StringComparison.Ordinal) && !hook.StartsWith("arp ", StringComparison.Ordinal))];
    }

    /// <summary>
    /// An nftables ruleset as both readers (text and JSON) give it: its chains, the paths they make, the chains off every
    /// path (<see cref="OffPath"/>), and <paramref name="issues"/> with each off-path chain listed among them in line order.
    /// </summary>
    public static FirewallPolicy Nftables(string name, string file, PolicyFormat format, IReadOnlyList<PolicyChain> chains, IEnumerable<PolicyIssue> issues)
    {
        var offPath = OffPath(chains);
        return new FirewallPolicy
        {
            Name = name, File = file, Format = format, Chains = chains, Paths = Of(chains),
            Issues = [.. issues.Concat(NotEvaluated(offPath)).OrderBy(issue => issue.Location.Line)],
            OffPath = [.. offPath.Select(c => c.Name)],
        };
    }

    /// <summary>The chains <paramref name="offPath"/> (<see cref="OffPath"/>), each listed as not understood at its declaration.</summary>
    private static IEnumerable<PolicyIssue> NotEvaluated(IReadOnlyList<PolicyChain> offPath) =>
        offPath.Select(c => new PolicyIssue(c.Location, $"chain {c.Name} (hook {c.Hook})",
            "a filter chain on the prerouting, input, forward or postrouting hook, or a nat chain on prerouting: this one sees the packets of one device (ingress, netdev) or bridged frames (bridge), which a flow record does not name, and a connection it may drop is undecided"));

    /// <summary>True for the hook of a NAT base chain as the nftables readers name it ("ip prerouting (nat)").</summary>
    public static bool IsNat(string? hook) => hook is not null && hook.EndsWith("(nat)", StringComparison.Ordinal);

    /// <summary>True for a NAT base chain on the way in before the filter (prerouting): its destination NAT is what the filter sees.</summary>
    public static bool TranslatesBeforeFilter(string? hook) => IsNat(hook) && hook!.Contains(" prerouting ", StringComparison.Ordinal);

    /// <summary>
    /// True for a nat base chain on the way in before the filter: nftables <c>type nat hook prerouting</c>, iptables nat
    /// PREROUTING (hook "nat prerouting").
    /// </summary>
    public static bool TranslatesBeforeFilter(PolicyChain chain) =>
        chain.IsNat && chain.DefaultPolicy is not null && chain.Hook is { } hook
        && (TranslatesBeforeFilter(hook) || string.Equals(hook, "nat prerouting", StringComparison.Ordinal));

    /// <summary>
    /// True for a filter chain that sees a packet before the destination NAT of prerouting: iptables raw and mangle
    /// PREROUTING, an nftables prerouting chain of a priority below dstnat's.
    /// </summary>
    public static bool BeforeTranslation(PolicyChain chain) =>
        chain.Hook is "raw prerouting" or "mangle prerouting" || (chain.Hook == Prerouting && chain.Priority < Priority("dstnat"));

    /// <summary>
    /// True for a filter base chain that a nat chain translating sources (snat, masquerade) runs before, on the same hook
    /// (input or postrouting) at a lower priority, in a family that sees the same packets: by the first packet the
    /// filter chain sees, the connection may have the snat flag. iptables' nat INPUT and POSTROUTING always come after
    /// its filter; an nftables filter chain on input at priority 110 comes after a nat chain there at 100.
    /// </summary>
    public static bool AfterSourceNat(PolicyChain chain, IEnumerable<PolicyChain> chains) =>
        !chain.IsNat && chain.Hook is Input or Postrouting
        && chains.Any(nat => nat.IsNat && nat.Hook is { } hook && hook.EndsWith($" {chain.Hook} (nat)", StringComparison.Ordinal)
                             && nat.Priority < chain.Priority && (nat.Family == 0 || chain.Family == 0 || nat.Family == chain.Family)
                             && nat.Rules.Any(r => r.Nat?.Kind is "snat" or "masquerade"));

    /// <summary>
    /// True for a chain that sees a packet before connection tracking does: iptables raw PREROUTING, an nftables
    /// prerouting chain of a priority below conntrack's (-200). Only there does a notrack take effect: the kernel ignores
    /// it on a packet already tracked.
    /// </summary>
    public static bool BeforeConntrack(PolicyChain chain) =>
        chain.Hook is "raw prerouting" || (chain.Hook == Prerouting && chain.Priority < Conntrack);

    // nf_conntrack's priority on prerouting (NF_IP_PRI_CONNTRACK).
    private const int Conntrack = -200;

    /// <summary>nftables' named priorities, as numbers.</summary>
    public static int Priority(string text) => text switch
    {
        "raw" => -300, "mangle" => -150, "dstnat" => -100, "filter" => 0, "security" => 50, "srcnat" => 100,
        _ => int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : 0,
    };
}
