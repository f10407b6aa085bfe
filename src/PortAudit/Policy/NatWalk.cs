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
/// walked for one connection as the kernel walks them: in priority order, first match in each chain, jumps and gotos
/// followed (Docker's DNAT sits in a chain PREROUTING jumps to). A destination NAT ends the walk, as the kernel sets up
/// one translation and skips later nat chains; an accept ends its chain; a drop, a reject or a policy of drop ends the
/// connection. The first rule that only may match is kept (<see cref="Maybe"/>); a walk with it forced to match gives the
/// other outcome.
/// </summary>
internal sealed class NatWalk(JumpGraph graph, PolicyQuery query, PolicyRule? forced = null)
{
    private enum Step { Fell, Accepted, Ended }

    private readonly Dictionary<PolicyChain, (Step Step, NatEnd End)> _walked = new(ReferenceEqualityComparer.Instance);

    /// <summary>The first rule passed that may match and could change the walk's end; null when none.</summary>
    public PolicyRule? Maybe { get; private set; }

    /// <summary>Walks the chains once.</summary>
    public NatEnd Run()
    {
        foreach (var chain in graph.NatEntries)
        {
            var (step, end) = Walk(chain);
            if (step == Step.Ended) return end;
            if (step == Step.Fell && chain.DefaultPolicy == PolicyAction.Drop) return new NatEnd(NatEndKind.Dropped, null, chain);
        }
        return new NatEnd(NatEndKind.None);
    }

    // Each chain walked once for the connection, however many jumps lead to it (the jump graph has no loop).
    private (Step Step, NatEnd End) Walk(PolicyChain chain)
    {
        if (_walked.TryGetValue(chain, out var known)) return known;
        var result = WalkRules(chain);
        _walked[chain] = result;
        return result;
    }

    private (Step Step, NatEnd End) WalkRules(PolicyChain chain)
    {
        foreach (var rule in chain.Rules)
        {
            var match = ReferenceEquals(rule, forced) ? MatchResult.Yes : rule.Match(query);
            if (match == MatchResult.No) continue;
            bool translates = rule.Nat is { Kind: "dnat" or "redirect" };
            if (match == MatchResult.Maybe)
            {
                // A rule without a verdict or a translation changes nothing (counter, log, source NAT).
                if (translates || rule.Action != PolicyAction.Continue) Maybe ??= rule;
                continue;
            }
            if (translates)
                return (Step.Ended, new NatEnd(rule.Nat!.ToAddress is not null || rule.Nat.ToPort is not null ? NatEndKind.Translated : NatEndKind.Unknowable, rule));
            switch (rule.Action)
            {
                case PolicyAction.Accept:
                    return (Step.Accepted, default);
                case PolicyAction.Drop or PolicyAction.Reject:
                    return (Step.Ended, new NatEnd(NatEndKind.Dropped, rule));
                case PolicyAction.Return:
                    return (Step.Fell, default);
                case PolicyAction.Jump or PolicyAction.Goto when graph.Target(rule) is { } next:
                    var inner = Walk(next);
                    if (inner.Step != Step.Fell || rule.Action == PolicyAction.Goto) return inner;
                    break;
                case PolicyAction.Jump or PolicyAction.Goto or PolicyAction.Unknown:
                    // Nothing is known past a jump whose target is not in the file or was cut.
                    Maybe ??= rule;
                    break;
            }
        }
        return (Step.Fell, default);
    }
}
