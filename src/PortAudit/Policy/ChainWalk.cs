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
internal readonly record struct ChainEnd(PolicyRule? Rule, MaybeEnd? Uncertain, MaybeEnd? Otherwise = null);

/// <summary>
/// A rule that only may match, and the rule it would end the walk with if it did: itself, or for a jump or goto whose
/// target surely ends the walk, that target's ending rule (firewalld's <c>iifname "eth0" goto filter_IN_public</c> before
/// <c>goto filter_IN_public</c> ends the walk as the goto after it does, whichever matches). <paramref name="Returns"/>:
/// matching, it would leave its chain as falling through does (a return, a goto to a chain that falls through), which
/// changes nothing where the chain falls through or returns anyway.
/// </summary>
internal readonly record struct MaybeEnd(PolicyRule Rule, PolicyRule End, bool Returns = false);

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
        MaybeEnd? uncertain = null, otherwise = null, returning = null;
        foreach (var rule in RuleCandidates.Of(chain, query))
        {
            var match = forced is not null && forced.TryGetValue(rule, out bool matches) ? matches ? MatchResult.Yes : MatchResult.No : rule.Match(query);
            if (match == MatchResult.No) continue;
            if (match == MatchResult.Maybe)
            {
                if (!ends.Matters(rule)) continue;
                var possible = Possible(rule);
                // One that would leave the chain matters only where a rule ends the walk in it instead.
                if (possible is { Returns: true }) returning ??= possible;
                else Passed(possible, ref uncertain, ref otherwise);
                continue;
            }
            if (ends.Ends(rule)) return new ChainEnd(rule, Settled(uncertain, otherwise, rule) ?? returning);
            switch (rule.Action)
            {
                case PolicyAction.Return:
                    return new ChainEnd(null, uncertain, otherwise);
                case PolicyAction.Jump or PolicyAction.Goto when graph.Target(rule) is { } next:
                    var inner = FirstMatch(next);
                    Passed(inner.Uncertain, ref uncertain, ref otherwise);
                    Passed(inner.Otherwise, ref uncertain, ref otherwise);
                    if (inner.Rule is { } end) return new ChainEnd(end, Settled(uncertain, otherwise, end) ?? returning);
                    if (rule.Action == PolicyAction.Goto) return new ChainEnd(null, uncertain, otherwise);
                    break;
                case PolicyAction.Jump or PolicyAction.Goto or PolicyAction.Unknown:
                    // A target that is not in the file, or a jump cut as a loop or too deep, or a statement not
                    // understood: nothing is known past this rule.
                    Passed(new MaybeEnd(rule, rule), ref uncertain, ref otherwise);
                    break;
            }
        }
        return new ChainEnd(null, uncertain, otherwise);
    }

    // A rule that may match, with the rule it would end the walk with. A jump or goto whose target surely ends the walk
    // ends it as that target does; a jump whose target surely falls through changes nothing; anything else (a goto
    // that falls through ends this chain, a target that only may end it) may end it anyhow, itself.
    private MaybeEnd? Possible(PolicyRule rule)
    {
        if (rule.Action == PolicyAction.Return) return new MaybeEnd(rule, rule, Returns: true);
        if (rule.Action is not (PolicyAction.Jump or PolicyAction.Goto) || graph.Target(rule) is not { } next) return new MaybeEnd(rule, rule);
        var inner = FirstMatch(next);
        if (inner.Uncertain is not null) return new MaybeEnd(rule, rule);
        if (inner.Rule is { } end) return new MaybeEnd(rule, end);
        return rule.Action == PolicyAction.Jump ? null : new MaybeEnd(rule, rule, Returns: true);
    }

    // The first rule that may match is kept, and the first after it that would end the walk otherwise than it would:
    // whatever ends the walk, one of the two differs from it if any rule passed does.
    private void Passed(MaybeEnd? maybe, ref MaybeEnd? uncertain, ref MaybeEnd? otherwise)
    {
        if (maybe is not { } passed) return;
        if (uncertain is null) uncertain = passed;
        else if (otherwise is null && !ends.SameEnd(passed.End, uncertain.Value.End)) otherwise = passed;
    }

    // The first uncertain rule that would not have ended the walk as it ended: one that would have cannot change it.
    private MaybeEnd? Settled(MaybeEnd? uncertain, MaybeEnd? otherwise, PolicyRule end) =>
        uncertain is { } u && !ends.SameEnd(u.End, end) ? u
        : otherwise is { } o && !ends.SameEnd(o.End, end) ? o : null;
}
