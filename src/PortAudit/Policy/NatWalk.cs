namespace PortAudit.Policy;

/// <summary>How the nat chains before the filter end for a connection.</summary>
internal enum NatEndKind
{
    /// <summary>No translation: every nat chain fell through or accepted.</summary>
    None,

    /// <summary>A destination NAT to a fixed address or port: the filter sees the translated connection.</summary>
    Translated,

    /// <summary>A drop or reject in a nat chain, or its default policy of drop: the filter never sees the connection.</summary>
    Dropped,

    /// <summary>A destination NAT whose target is a map or an expression: where the connection goes is not known.</summary>
    Unknowable,
}

/// <summary>The end of the nat walk: its kind, the rule that made it, and for a default policy of drop its chain.</summary>
internal readonly record struct NatEnd(NatEndKind Kind, PolicyRule? Rule = null, PolicyChain? Chain = null);

/// <summary>
/// The nat base chains on the way in before the filter (nftables <c>type nat hook prerouting</c>, iptables nat PREROUTING),
/// walked for one connection as the kernel walks them: in priority order, each by the <see cref="ChainWalk"/> the filter
/// uses (first match, jumps and gotos followed: Docker's DNAT sits in a chain PREROUTING jumps to). A destination NAT
/// ends the walk, as the kernel sets up one translation and skips later nat chains; an accept ends its base chain; a
/// drop, a reject or a policy of drop ends the connection. The first rule that only may match is kept
/// (<see cref="Maybe"/>); a walk with it forced to match gives the other outcome.
/// </summary>
internal sealed class NatWalk(JumpGraph graph, PolicyQuery query, PolicyRule? forced = null)
{
    /// <summary>The first rule passed that may match and could change the walk's end; null when none.</summary>
    public PolicyRule? Maybe { get; private set; }

    /// <summary>Walks the chains once.</summary>
    public NatEnd Run()
    {
        var walk = new ChainWalk(graph, query, NatEnds.Instance, forced);
        foreach (var chain in graph.NatEntries)
        {
            var (rule, uncertain) = walk.FirstMatch(chain);
            Maybe ??= uncertain;
            if (rule is null)
            {
                if (chain.DefaultPolicy == PolicyAction.Drop) return new NatEnd(NatEndKind.Dropped, null, chain);
            }
            else if (Translates(rule))
                return new NatEnd(rule.Nat!.ToAddress is not null || rule.Nat.ToPort is not null ? NatEndKind.Translated : NatEndKind.Unknowable, rule);
            else if (rule.Action is PolicyAction.Drop or PolicyAction.Reject)
                return new NatEnd(NatEndKind.Dropped, rule);
            // An accept ends its base chain alone: the next nat chain may still translate.
        }
        return new NatEnd(NatEndKind.None);
    }

    private static bool Translates(PolicyRule rule) => rule.Nat is { Kind: "dnat" or "redirect" };

    // The nat chains end at a destination NAT as well as at a verdict; a rule without either changes nothing (counter,
    // log, source NAT). Any two rules that may match could end the walk differently: a translation's target is its own.
    private sealed class NatEnds : IWalkEnds
    {
        public static readonly NatEnds Instance = new();

        public bool Ends(PolicyRule rule) => Translates(rule) || rule.IsTerminal;

        public bool Matters(PolicyRule rule) => Translates(rule) || rule.Action != PolicyAction.Continue;

        public bool SameEnd(PolicyRule uncertain, PolicyRule end) => false;
    }
}
