namespace PortAudit.Policy;

/// <summary>What a policy does with a new connection.</summary>
public enum PolicyDecision
{
    /// <summary>A path lets it through.</summary>
    Allowed,

    /// <summary>Every path drops or rejects it.</summary>
    Blocked,

    /// <summary>A rule that may match (a condition the flow cannot decide, or a construct not understood) could change the outcome.</summary>
    Undecided,
}

/// <summary>Which connections an enforcement point judges, and so which netfilter hook's path applies to them.</summary>
public enum PolicyPoint
{
    /// <summary>Not said: every path, a connection allowed when one allows it; a path that filters nothing is left out when another filters.</summary>
    Unknown,

    /// <summary>A host's own firewall: connections to the host, judged by its input path alone.</summary>
    Host,

    /// <summary>A network firewall: connections through it, judged by its forward path alone.</summary>
    Network,
}

/// <summary>A policy's verdict on one connection and the rule that decided it.</summary>
/// <param name="Decision">Allowed, blocked or undecided.</param>
/// <param name="Rule">The deciding rule; for undecided, the first rule that may match; null when a chain's default policy decided.</param>
/// <param name="Path">The path the verdict is taken from ("input", "in outside").</param>
/// <param name="DefaultOf">The chain whose default policy decided, when no rule did.</param>
public sealed record PolicyVerdict(PolicyDecision Decision, PolicyRule? Rule, string Path, string? DefaultOf = null)
{
    /// <summary>"allowed", "blocked", "undecided".</summary>
    public string Name => Decision.ToString().ToLowerInvariant();

    /// <summary>The interface the deciding path is bound to ("in outside"), or null.</summary>
    public string? Interface { get; init; }

    /// <summary>The destination NAT rule applied before the filter decided, or null.</summary>
    public PolicyRule? TranslatedBy { get; init; }

    /// <summary>
    /// The rule id, or "policy of CHAIN" for a default policy; with the interface of the path ("on in outside") and the
    /// destination NAT applied ("after dnat to 10.0.0.5:80 (nat#1)") when there are.
    /// </summary>
    public string DecidedBy => (Rule?.Id ?? (DefaultOf is null ? "(none)" : $"policy of {DefaultOf}"))
        + (Interface is { } on ? $" on {on}" : "") + (TranslatedBy is { } nat ? $" after {nat.Nat!.Text} ({nat.Id})" : "");
}

/// <summary>
/// Evaluates a <see cref="FirewallPolicy"/> for the first packet of a connection with each dialect's semantics: first match
/// within a chain, jump (and back at the end or on return), goto (no way back), the default policy of a base chain, every
/// chain of a path accepting, block-over-allow for Windows. A rule that only may match never decides; when it could have
/// changed the outcome the verdict is <see cref="PolicyDecision.Undecided"/> and names it.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>
    /// The verdict of <paramref name="policy"/> on <paramref name="query"/> at <paramref name="point"/>. A host's firewall
    /// judges a connection to it by the input hook's path, a network firewall one through it by the forward hook's path
    /// (the kernel takes one or the other by where the packet is routed); a path that filters nothing accepts, and a hook
    /// without chains accepts. Other dialects' paths (ASA interfaces, Windows inbound) apply at either point. Where the
    /// point is not said, paths that filter nothing are left out when another path filters, and a flow is allowed when
    /// one path allows it, blocked when all block it.
    /// </summary>
    public static PolicyVerdict Evaluate(FirewallPolicy policy, in PolicyQuery query, PolicyPoint point = PolicyPoint.Unknown)
    {
        // The chains before connection tracking first: a notrack there leaves the connection untracked to every later
        // chain, and untranslated, as only a tracked connection is translated.
        var graph = JumpGraph.Of(policy);
        // A host's own firewall judges connections to its own addresses: the kernel's local address type (addrtype
        // LOCAL) holds for them, a multicast or broadcast group excepted.
        var sent = point == PolicyPoint.Host && !query.Destination.IsGroup ? query with { LocalDestination = true } : query;
        var verdict = Settled(graph, sent with { BeforeConntrack = true }, graph.TrackEntries, TrackEnds.Instance,
            track => Nat(policy, graph, track.Kind == EntryEndKind.Marked ? sent with { Untracked = true } : sent, point));
        return verdict.Decision == PolicyDecision.Allowed && graph.OffPath.Count > 0 ? OffPath(graph, query, verdict) : verdict;
    }

    // The nat chains before the filter: the filter sees the translated connection, or never sees it.
    private static PolicyVerdict Nat(FirewallPolicy policy, JumpGraph graph, PolicyQuery query, PolicyPoint point) => query.Untracked
        ? Filter(policy, graph, query, query, point)
        : Settled(graph, query, graph.NatEntries, NatEnds.Instance, nat => Verdict(policy, graph, query, nat, point));

    /// <summary>The most walks of the entry chains for one connection, each rule that may match taken as matching or not, before its verdict is undecided.</summary>
    internal const int MaxEntryWalks = 64;

    // The verdict that follows an entry walk's end, the walk taking every rule that only may match as not matching. Any
    // of those rules may be the first that matches instead (Docker's nat chain returns for one interface, then
    // translates for the others): each is followed, matching after the earlier ones did not, up to MaxEntryWalks
    // walks, and one that leads to another decision makes the verdict undecided, naming it.
    private static PolicyVerdict Settled(JumpGraph graph, PolicyQuery query, IReadOnlyList<PolicyChain> chains, IEntryEnds ends, Func<EntryEnd, PolicyVerdict> after)
    {
        var walk = new EntryWalk(graph, query, chains, ends);
        var verdict = after(walk.Run());
        if (walk.Maybe is null || verdict.Decision == PolicyDecision.Undecided) return verdict;
        var pending = new Stack<(Dictionary<PolicyRule, bool> Forced, PolicyRule Maybe)>();
        pending.Push((new Dictionary<PolicyRule, bool>(ReferenceEqualityComparer.Instance), walk.Maybe));
        for (int walks = 0; pending.TryPop(out var next); walks += 2)
        {
            if (walks >= MaxEntryWalks) return new PolicyVerdict(PolicyDecision.Undecided, walk.Maybe, verdict.Path);
            var matching = new Dictionary<PolicyRule, bool>(next.Forced, ReferenceEqualityComparer.Instance) { [next.Maybe] = true };
            var taken = new EntryWalk(graph, query, chains, ends, matching);
            if (after(taken.Run()).Decision != verdict.Decision) return new PolicyVerdict(PolicyDecision.Undecided, next.Maybe, verdict.Path);
            if (taken.Maybe is { } deeper) pending.Push((matching, deeper));
            // Not matching, the walk ends as the first did: only the next rule that may match is wanted from it.
            var skipping = new Dictionary<PolicyRule, bool>(next.Forced, ReferenceEqualityComparer.Instance) { [next.Maybe] = false };
            var passed = new EntryWalk(graph, query, chains, ends, skipping);
            passed.Run();
            if (passed.Maybe is { } later) pending.Push((skipping, later));
        }
        return verdict;
    }

    // A connection the paths allow that a chain no path walks may drop (an ingress chain of one device, a bridge chain):
    // whether it crosses that chain is not known from its flow, so even a rule that surely matches leaves it undecided,
    // naming that rule, or the chain when its policy of drop would. Such a chain sees the connection as sent.
    private static PolicyVerdict OffPath(JumpGraph graph, in PolicyQuery query, PolicyVerdict allowed)
    {
        var walk = new ChainWalk(graph, query, FilterEnds.Instance);
        foreach (var chain in graph.OffPath)
        {
            if (!Sees(chain, query)) continue;
            var end = walk.FirstMatch(chain);
            var action = end.Rule?.Action ?? chain.DefaultPolicy ?? PolicyAction.Accept;
            if (Normal(action) == PolicyAction.Drop)
                return new PolicyVerdict(PolicyDecision.Undecided, end.Rule, allowed.Path, end.Rule is null ? chain.Name : null) { Interface = allowed.Interface };
            if (Differing(end.Uncertain, end.Otherwise, PolicyAction.Accept) is { } uncertain)
                return new PolicyVerdict(PolicyDecision.Undecided, uncertain, allowed.Path) { Interface = allowed.Interface };
        }
        return allowed;
    }

    // A destination NAT whose target is a map or an expression: where the connection goes is not known.
    private static PolicyVerdict Verdict(FirewallPolicy policy, JumpGraph graph, in PolicyQuery query, EntryEnd nat, PolicyPoint point) => nat.Kind switch
    {
        EntryEndKind.Marked when nat.Rule!.Nat is { ToAddress: not null } or { ToPort: not null } => Translated(policy, graph, query, nat.Rule!, point),
        EntryEndKind.Marked => new PolicyVerdict(PolicyDecision.Undecided, nat.Rule, PathName(policy, point)),
        EntryEndKind.Dropped => new PolicyVerdict(PolicyDecision.Blocked, nat.Rule, PathName(policy, point), nat.Chain?.Name),
        _ => Filter(policy, graph, query, query, point),
    };

    // The verdict after the destination NAT; one a chain before dstnat gave saw the connection as sent, and names no
    // translation, nor does one after a dnat to the address and port the connection already had: it translated nothing,
    // and the kernel's connection shows no translation.
    private static PolicyVerdict Translated(FirewallPolicy policy, JumpGraph graph, in PolicyQuery query, PolicyRule nat, PolicyPoint point)
    {
        var seen = nat.Nat!.Apply(query);
        var verdict = Filter(policy, graph, query, seen, point);
        return !seen.Translated || (verdict.Rule?.Chain ?? verdict.DefaultOf) is { } name && graph.Chain(name) is { } chain && HookPaths.BeforeTranslation(chain)
            ? verdict : verdict with { TranslatedBy = nat };
    }

    // The name of the path that judges at the point, for a verdict no path's chain gave.
    private static string PathName(FirewallPolicy policy, PolicyPoint point) => point switch
    {
        PolicyPoint.Host => HookPaths.Input, PolicyPoint.Network => HookPaths.Forward, _ => policy.Paths.FirstOrDefault()?.Name ?? "(none)",
    };

    // The filter's verdict on the connection as it arrived (original) and as translated (seen): a chain on prerouting
    // before the destination NAT sees the first (before connection tracking, with no state yet), every other chain the
    // second.
    private static PolicyVerdict Filter(FirewallPolicy policy, JumpGraph graph, in PolicyQuery original, in PolicyQuery seen, PolicyPoint point)
    {
        var filtering = graph.Applying(point);
        if (filtering.Count == 0)
            return new PolicyVerdict(PolicyDecision.Allowed, null, PathName(policy, point), "every chain");
        PolicyVerdict? blocked = null, undecided = null;
        // One walk for the connection: a chain reached from two paths has the same outcome on both.
        var walk = new ChainWalk(graph, seen, FilterEnds.Instance);
        var before = original == seen ? walk : new ChainWalk(graph, original, FilterEnds.Instance);
        var untracked = new ChainWalk(graph, original with { BeforeConntrack = true }, FilterEnds.Instance);
        var snatted = new ChainWalk(graph, seen with { AfterSourceNat = true }, FilterEnds.Instance);
        foreach (var path in filtering)
        {
            var verdict = EvaluatePath(graph, new Walks(walk, before, untracked, snatted), path, seen);
            if (verdict.Decision == PolicyDecision.Allowed) return verdict;
            if (verdict.Decision == PolicyDecision.Undecided) undecided ??= verdict;
            else blocked ??= verdict;
        }
        return undecided ?? blocked!;
    }

    // The walks of one connection, by what a chain sees of it: the connection as translated (Seen), as it arrived before
    // the destination NAT (Before), before connection tracking (Untracked), after a source nat chain of its hook (Snatted).
    private readonly record struct Walks(ChainWalk Seen, ChainWalk Before, ChainWalk Untracked, ChainWalk Snatted)
    {
        public ChainWalk For(JumpGraph graph, PolicyChain chain) =>
            HookPaths.BeforeConntrack(chain) ? Untracked : HookPaths.BeforeTranslation(chain) ? Before : graph.AfterSourceNat(chain) ? Snatted : Seen;
    }

    private static PolicyVerdict EvaluatePath(JumpGraph graph, Walks walks, PolicyPath path, in PolicyQuery query)
    {
        PolicyVerdict? last = null, undecided = null;
        foreach (string name in path.Chains)
        {
            if (graph.Chain(name) is not { } chain || !Sees(chain, query)) continue;
            var outcome = chain.Semantics == ChainSemantics.BlockOverAllow ? BlockOverAllow(chain, query)
                : Outcome.Of(walks.For(graph, chain).FirstMatch(chain));
            var action = outcome.Action ?? chain.DefaultPolicy ?? PolicyAction.Accept;
            var maybe = Differing(outcome.Uncertain, outcome.Otherwise, action);
            var decision = maybe is not null ? PolicyDecision.Undecided
                : action == PolicyAction.Accept ? PolicyDecision.Allowed : PolicyDecision.Blocked;
            var rule = maybe ?? outcome.Rule;
            // A later chain that lets it through by its policy alone (iptables security after filter) does not take the
            // accepting rule's place: that rule is what let the connection through.
            if (decision == PolicyDecision.Allowed && rule is null && last?.Rule is not null) continue;
            last = new PolicyVerdict(decision, rule, path.Name, rule is null ? chain.Name : null) { Interface = path.Interface };
            // Every chain must accept: a later one that surely blocks decides, whichever way an earlier undecided one
            // goes, unless what left that one undecided is a statement not understood, which may have changed what the
            // later chains see.
            if (decision == PolicyDecision.Blocked) return undecided is { Rule.Action: PolicyAction.Unknown } ? undecided : last;
            if (decision == PolicyDecision.Undecided) undecided ??= last;
        }
        return undecided ?? last ?? new PolicyVerdict(PolicyDecision.Allowed, null, path.Name, "every chain") { Interface = path.Interface };
    }

    /// <summary>The terminal action reached (null: the chain fell through), its rule, and the uncertain rules passed (<see cref="ChainEnd"/>).</summary>
    private readonly record struct Outcome(PolicyAction? Action, PolicyRule? Rule, MaybeEnd? Uncertain, MaybeEnd? Otherwise = null)
    {
        public static Outcome Of(ChainEnd end) => new(end.Rule is { } rule ? Normal(rule.Action) : null, end.Rule, end.Uncertain, end.Otherwise);
    }

    // The first of the uncertain rules that, matching, would not end as the walk did (with an accept, or a drop or
    // reject): a rule that may match and would decide the same way changes nothing.
    private static PolicyRule? Differing(MaybeEnd? uncertain, MaybeEnd? otherwise, PolicyAction end) =>
        uncertain is { } u && Normal(u.End.Action) != Normal(end) ? u.Rule
        : otherwise is { } o && Normal(o.End.Action) != Normal(end) ? o.Rule : null;

    /// <summary>
    /// The filter's walk ends at an accept, a drop or a reject. A rule without a verdict cannot change it; a jump may,
    /// whatever its target holds; one that would end it with the same verdict changes nothing.
    /// </summary>
    private sealed class FilterEnds : IWalkEnds
    {
        public static readonly FilterEnds Instance = new();

        public bool Ends(PolicyRule rule) => rule.IsTerminal;

        public bool Matters(PolicyRule rule) => rule.Action != PolicyAction.Continue;

        public bool SameEnd(PolicyRule uncertain, PolicyRule end) => uncertain.IsTerminal && Normal(uncertain.Action) == Normal(end.Action);
    }

    // A chain of an ip6 table never sees an IPv4 packet, and the other way round.
    private static bool Sees(PolicyChain chain, in PolicyQuery query) => !(chain.Family == 4 && !query.Source.IsV4 || chain.Family == 6 && query.Source.IsV4);

    internal static PolicyAction Normal(PolicyAction action) => action == PolicyAction.Reject ? PolicyAction.Drop : action;

    private static MaybeEnd? Itself(PolicyRule? rule) => rule is null ? null : new MaybeEnd(rule, rule);

    private static Outcome BlockOverAllow(PolicyChain chain, in PolicyQuery query)
    {
        PolicyRule? allow = null, maybeBlock = null, maybeAllow = null;
        foreach (var rule in RuleCandidates.Of(chain, query))
        {
            var match = rule.Match(query);
            if (match == MatchResult.No) continue;
            bool blocks = rule.Action is PolicyAction.Drop or PolicyAction.Reject;
            if (match == MatchResult.Yes && blocks) return new Outcome(PolicyAction.Drop, rule, null);
            if (match == MatchResult.Yes) allow ??= rule;
            else if (blocks) maybeBlock ??= rule;
            else maybeAllow ??= rule;
        }
        if (allow is not null) return new Outcome(PolicyAction.Accept, allow, Itself(maybeBlock));
        // Nothing sure: a possible allow matters only against a blocking default, a possible block only against an allowing one.
        var fallback = chain.DefaultPolicy ?? PolicyAction.Drop;
        return new Outcome(null, null, Itself(fallback == PolicyAction.Accept ? maybeBlock : maybeAllow));
    }
}
