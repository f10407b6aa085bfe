namespace PortAudit.Policy;

/// <summary>What ends an <see cref="EntryWalk"/>: the statement it looks for, besides the verdicts.</summary>
internal interface IEntryEnds : IWalkEnds
{
    /// <summary>True for the statement the walk looks for (a destination NAT, a notrack), which ends it.</summary>
    bool Marks(PolicyRule rule);
}

/// <summary>How an <see cref="EntryWalk"/> ends.</summary>
internal enum EntryEndKind
{
    /// <summary>Every chain fell through or accepted.</summary>
    None,

    /// <summary>A rule with the statement looked for matched (<see cref="IEntryEnds.Marks"/>).</summary>
    Marked,

    /// <summary>A drop or reject, or a default policy of drop: the filter never sees the connection.</summary>
    Dropped,
}

/// <summary>The end of an <see cref="EntryWalk"/>: its kind, the rule that made it, and for a default policy of drop its chain.</summary>
internal readonly record struct EntryEnd(EntryEndKind Kind, PolicyRule? Rule = null, PolicyChain? Chain = null);

/// <summary>
/// Base chains a packet crosses on its way in before the filter decides, walked for one connection as the kernel walks
/// them up to the first rule with a statement that changes what the filter sees: the chains before connection tracking
/// up to a <c>notrack</c> (<see cref="TrackEnds"/>), the nat chains of prerouting up to a destination NAT
/// (<see cref="NatEnds"/>). In priority order, each by the <see cref="ChainWalk"/> the filter uses (first match, jumps
/// and gotos followed: Docker's DNAT sits in a chain PREROUTING jumps to); an accept ends its base chain alone; a drop,
/// a reject or a policy of drop ends the connection. The first rule that only may match is kept (<see cref="Maybe"/>); a
/// walk with it forced to match, or not to, follows its other outcomes (<paramref name="forced"/>).
/// </summary>
internal sealed class EntryWalk(JumpGraph graph, PolicyQuery query, IReadOnlyList<PolicyChain> chains, IEntryEnds ends, IReadOnlyDictionary<PolicyRule, bool>? forced = null)
{
    /// <summary>The first rule passed that may match and could change the walk's end; null when none.</summary>
    public PolicyRule? Maybe { get; private set; }

    /// <summary>Walks the chains once.</summary>
    public EntryEnd Run()
    {
        var walk = new ChainWalk(graph, query, ends, forced);
        foreach (var chain in chains)
        {
            var (rule, uncertain, _) = walk.FirstMatch(chain);
            Maybe ??= uncertain?.Rule;
            if (rule is null)
            {
                if (chain.DefaultPolicy == PolicyAction.Drop) return new EntryEnd(EntryEndKind.Dropped, null, chain);
            }
            else if (ends.Marks(rule)) return new EntryEnd(EntryEndKind.Marked, rule);
            else if (rule.Action is PolicyAction.Drop or PolicyAction.Reject) return new EntryEnd(EntryEndKind.Dropped, rule);
            // An accept ends its base chain alone: the next chain may still mark the connection.
        }
        return new EntryEnd(EntryEndKind.None);
    }
}

/// <summary>
/// The nat chains before the filter end at a destination NAT as well as at a verdict: the kernel sets up one translation
/// and skips later nat chains. A rule without either changes nothing (counter, log, source NAT). Any two rules that may
/// match could end the walk differently: a translation's target is its own.
/// </summary>
internal sealed class NatEnds : IEntryEnds
{
    public static readonly NatEnds Instance = new();

    public bool Marks(PolicyRule rule) => rule.Nat is { Kind: "dnat" or "redirect" };

    public bool Ends(PolicyRule rule) => Marks(rule) || rule.IsTerminal;

    public bool Matters(PolicyRule rule) => Marks(rule) || rule.Action != PolicyAction.Continue;

    public bool SameEnd(PolicyRule uncertain, PolicyRule end) => false;
}

/// <summary>
/// The chains before connection tracking (<see cref="HookPaths.BeforeConntrack"/>) end at a <c>notrack</c>: the
/// connection is untracked from there on, whatever follows, as well as at a verdict.
/// </summary>
internal sealed class TrackEnds : IEntryEnds
{
    public static readonly TrackEnds Instance = new();

    public bool Marks(PolicyRule rule) => rule.Untracks;

    public bool Ends(PolicyRule rule) => rule.Untracks || rule.IsTerminal;

    public bool Matters(PolicyRule rule) => rule.Untracks || rule.Action != PolicyAction.Continue;

    public bool SameEnd(PolicyRule uncertain, PolicyRule end) => false;
}
