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

    /// <summary>One path per hook that has chains.</summary>
    public static IReadOnlyList<PolicyPath> Of(IReadOnlyList<PolicyChain> chains) =>
        Hooks.Select(hook => new PolicyPath(hook, chains.Where(c => string.Equals(c.Hook, hook, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Priority).Select(c => c.Name).ToList()))
            .Where(p => p.Chains.Count > 0)
            .ToList();

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

    /// <summary>nftables' named priorities, as numbers.</summary>
    public static int Priority(string text) => text switch
    {
        "raw" => -300, "mangle" => -150, "dstnat" => -100, "filter" => 0, "security" => 50, "srcnat" => 100,
        _ => int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : 0,
    };
}
