namespace PortAudit.Policy;

/// <summary>
/// What the verdicts of a walk's rules mean: which rule, matching, ends the walk, and which, only maybe matching, could
/// change where it ends. The filter ends at an accept, a drop or a reject; the nat chains before it also at a destination
/// NAT, and read an accept as the end of that base chain alone (<see cref="EntryWalk"/>).
/// </summary>
internal interface IWalkEnds
{
    /// <summary>True when <paramref name="rule"/>, matching, ends the walk; what the end means is read from the rule.</summary>
    bool Ends(PolicyRule rule);

    /// <summary>True when <paramref name="rule"/>, which only may match, could change where the walk ends.</summary>
    bool Matters(PolicyRule rule);

    /// <summary>True when <paramref name="uncertain"/>, had it matched, would have ended the walk as <paramref name="end"/> did.</summary>
    bool SameEnd(PolicyRule uncertain, PolicyRule end);
}

/// <summary>
/// Where a walk from a chain ended: the rule that ended it (null: the chain fell through or returned), and the first rule
/// passed that only may match and could have ended it otherwise. Where the chain fell through, what ends the walk is
/// its caller's (a default policy, the rest of the chain that jumped): then <paramref name="Uncertain"/> is the first
/// rule that may match and <paramref name="Otherwise"/> the first after it that would end the walk otherwise than it
/// would, so that one of the two differs from any end (a rule that may drop, then one that may accept, before a
/// policy of drop: the accept may decide).
/// </summary>
internal readonly record struct ChainEnd(PolicyRule? Rule, PolicyRule? Uncertain, PolicyRule? Otherwise = null);

/// <summary>
/// First-match evaluation of chains for one connection, as the kernel walks them: the first rule that matches and ends the
/// walk ends it, a jump walks its target and comes back when the target falls through or returns, a goto does not come
/// back, a return ends the chain. A rule that only may match never ends it; the first that could have is kept. A
/// chain's end depends on the connection only (the jump graph has no loop), so each chain is walked once however many
/// jumps lead to it: the work is at most the policy's rules, where following every path of chains that each jump twice
/// to the next takes 2^depth.
/// </summary>
/// <param name="graph">The policy's jumps.</param>
/// <param name="query">The connection.</param>
/// <param name="ends">What the rules' verdicts mean to this walk.</param>
/// <param name="forced">Rules that only may match taken as matching (true) or not (false), to follow one of their outcomes; null for none.</param>
internal sealed class ChainWalk(JumpGraph graph, PolicyQuery query, IWalkEnds ends, IReadOnlyDictionary<PolicyRule, bool>? forced = null)
{
    private Dictionary<PolicyChain, ChainEnd>? _walked;

    /// <summary>Where the walk from <paramref name="chain"/> ends.</summary>
    public ChainEnd FirstMatch(PolicyChain chain)
    {
        if (_walked?.TryGetValue(chain, out var known) == true) return known;
        var end = Walk(chain);
        (_walked ??= new(ReferenceEqualityComparer.Instance))[chain] = end;
        return end;
    }

    private ChainEnd Walk(PolicyChain chain)
    {
        PolicyRule? uncertain = null, otherwise = null;
        foreach (var rule in RuleCandidates.Of(chain, query))
        {
            var match = forced is not null && forced.TryGetValue(rule, out bool matches) ? matches ? MatchResult.Yes : MatchResult.No : rule.Match(query);
            if (match == MatchResult.No) continue;
            if (match == MatchResult.Maybe)
            {
                if (ends.Matters(rule)) Passed(rule, ref uncertain, ref otherwise);
                continue;
            }
            if (ends.Ends(rule)) return new ChainEnd(rule, Settled(uncertain, otherwise, rule));
            switch (rule.Action)
            {
                case PolicyAction.Return:
                    return new ChainEnd(null, uncertain, otherwise);
                case PolicyAction.Jump or PolicyAction.Goto when graph.Target(rule) is { } next:
                    var inner = FirstMatch(next);
                    Passed(inner.Uncertain, ref uncertain, ref otherwise);
                    Passed(inner.Otherwise, ref uncertain, ref otherwise);
                    if (inner.Rule is { } end) return new ChainEnd(end, Settled(uncertain, otherwise, end));
                    if (rule.Action == PolicyAction.Goto) return new ChainEnd(null, uncertain, otherwise);
                    break;
                case PolicyAction.Jump or PolicyAction.Goto or PolicyAction.Unknown:
                    // A target that is not in the file, or a jump cut as a loop or too deep, or a statement not
                    // understood: nothing is known past this rule.
                    Passed(rule, ref uncertain, ref otherwise);
                    break;
            }
        }
        return new ChainEnd(null, uncertain, otherwise);
    }

    // The first rule that may match is kept, and the first after it that would end the walk otherwise than it would:
    // whatever ends the walk, one of the two differs from it if any rule passed does.
    private void Passed(PolicyRule? rule, ref PolicyRule? uncertain, ref PolicyRule? otherwise)
    {
        if (rule is null) return;
        if (uncertain is null) uncertain = rule;
        else if (otherwise is null && !ends.SameEnd(rule, uncertain)) otherwise = rule;
    }

    // The first uncertain rule that would not have ended the walk as it ended: one that would have cannot change it.
    private PolicyRule? Settled(PolicyRule? uncertain, PolicyRule? otherwise, PolicyRule end) =>
        uncertain is not null && !ends.SameEnd(uncertain, end) ? uncertain
        : otherwise is not null && !ends.SameEnd(otherwise, end) ? otherwise : null;
}
