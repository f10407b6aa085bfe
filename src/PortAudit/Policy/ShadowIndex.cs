using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Which earlier rule of a first-match chain shadows each rule: the first terminal rule that sees new connections and
/// <see cref="RuleRelations.Covers"/> it. The same answer as trying every earlier rule, but each rule is tried only against
/// the earlier rules that can cover it, found through an index: a rule that covers another contains its first source
/// prefix, or its first destination prefix, or the low port of its first destination range, or matches any of them.
/// Each earlier rule is indexed under one of these (of its source, destination and ports, the one whose places hold the
/// fewest earlier rules; as a wildcard when none can be indexed), so a 100,000-rule chain costs what its rules share, not
/// 5·10^9 comparisons (issue 43).
/// </summary>
internal sealed class ShadowIndex
{
    // Ports of a rule indexed by them, past which its ranges are too wide to list port by port: it is then a wildcard.
    private const int MaxIndexedPorts = 1024;

    private readonly Dictionary<IpPrefix, List<int>> _bySource = [], _byDestination = [];
    private readonly SortedSet<int> _sourceLengths = [], _destinationLengths = [];
    private readonly Dictionary<int, List<int>> _byPort = [];
    private readonly List<int> _wildcards = [];
    private readonly List<int> _all = [];

    /// <summary>For each rule of <paramref name="rules"/> (in order), the earlier rule that shadows it, or null.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired (it is observed at every rule).</exception>
    public static PolicyRule?[] Shadowing(IReadOnlyList<PolicyRule> rules, CancellationToken cancel = default)
    {
        var index = new ShadowIndex();
        var shadowedBy = new PolicyRule?[rules.Count];
        for (int i = 0; i < rules.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var rule = rules[i];
            int first = index.FirstCovering(rules, rule);
            if (first >= 0) shadowedBy[i] = rules[first];
            if (rule.IsTerminal && RuleRelations.SeesNewConnections(rule) && rule.Undecidable.Count == 0) index.Add(rule, i);
        }
        return shadowedBy;
    }

    private void Add(PolicyRule rule, int i)
    {
        _all.Add(i);
        var source = Indexable(rule.Source);
        var destination = Indexable(rule.Destination);
        var ports = rule.DestinationPorts is { Negated: false, Ranges.Count: > 0 } p && p.Ranges.Sum(r => (long)r.Count) <= MaxIndexedPorts ? p : null;
        // Any one of the three is a correct place (a lookup tries all three), so the rule goes where the fewest earlier
        // rules wait: 16,000 ASA entries between the same two hosts, each on a port of its own, were each tried against
        // every earlier one under their shared source (over 100 s); under their ports, against none.
        long bySource = source is null ? long.MaxValue : Waiting(_bySource, source);
        long byDestination = destination is null ? long.MaxValue : Waiting(_byDestination, destination);
        long byPort = ports is null ? long.MaxValue : Waiting(ports);
        if (source is not null && bySource <= byDestination && bySource <= byPort) AddPrefixes(_bySource, _sourceLengths, source, i);
        else if (destination is not null && byDestination <= byPort) AddPrefixes(_byDestination, _destinationLengths, destination, i);
        else if (ports is not null)
            foreach (var range in ports.Ranges)
                for (int port = range.Low; port <= range.High; port++) Bucket(_byPort, port).Add(i);
        else _wildcards.Add(i);
    }

    private static long Waiting(Dictionary<IpPrefix, List<int>> index, AddressMatch match)
    {
        long waiting = 0;
        foreach (var prefix in match.Prefixes)
            if (index.TryGetValue(prefix, out var list)) waiting += list.Count;
        return waiting;
    }

    private long Waiting(PortMatch ports)
    {
        long waiting = 0;
        foreach (var range in ports.Ranges)
            for (int port = range.Low; port <= range.High; port++)
                if (_byPort.TryGetValue(port, out var list)) waiting += list.Count;
        return waiting;
    }

    // Addresses a covering rule must contain one of: resolved, not negated, not any, at least one prefix.
    private static AddressMatch? Indexable(AddressMatch? match) =>
        match is { Negated: false, Unresolved: false, IsAny: false, Prefixes.Count: > 0 } ? match : null;

    private static void AddPrefixes(Dictionary<IpPrefix, List<int>> index, SortedSet<int> lengths, AddressMatch match, int i)
    {
        foreach (var prefix in match.Prefixes.Distinct())
        {
            // A network with bits past its length contains nothing (IpPrefix.Contains masks the address): never a cover.
            if (IpPrefix.Mask(prefix.Network, prefix.Length) != prefix.Network) continue;
            Bucket(index, prefix).Add(i);
            lengths.Add(prefix.Length);
        }
    }

    private static List<int> Bucket<TKey>(Dictionary<TKey, List<int>> index, TKey key) where TKey : notnull =>
        index.TryGetValue(key, out var list) ? list : index[key] = [];

    // The index of the first indexed rule that covers rule, or -1.
    private int FirstCovering(IReadOnlyList<PolicyRule> rules, PolicyRule rule)
    {
        // A match of no prefixes or no ranges is covered vacuously by any of its kind: every earlier rule is a candidate.
        if (rule.Source is { Prefixes.Count: 0 } || rule.Destination is { Prefixes.Count: 0 } || rule.DestinationPorts is { Ranges.Count: 0 })
            return First(rules, rule, _all);
        int best = First(rules, rule, _wildcards);
        if (Indexable(rule.Source) is { } source) best = Prefixes(rules, rule, _bySource, _sourceLengths, source.Prefixes[0], best);
        if (Indexable(rule.Destination) is { } destination) best = Prefixes(rules, rule, _byDestination, _destinationLengths, destination.Prefixes[0], best);
        if (rule.DestinationPorts is { Negated: false } ports && _byPort.TryGetValue(ports.Ranges[0].Low, out var byPort)) best = Better(rules, rule, byPort, best);
        return best;
    }

    private static int Prefixes(IReadOnlyList<PolicyRule> rules, PolicyRule rule, Dictionary<IpPrefix, List<int>> index, SortedSet<int> lengths, IpPrefix first, int best)
    {
        foreach (int length in lengths)
        {
            if (length > first.Length) break;
            if (index.TryGetValue(new IpPrefix(IpPrefix.Mask(first.Network, length), length), out var candidates)) best = Better(rules, rule, candidates, best);
        }
        return best;
    }

    private static int First(IReadOnlyList<PolicyRule> rules, PolicyRule rule, List<int> candidates) => Better(rules, rule, candidates, -1);

    // Candidates are in rule order: the first that covers, if before best.
    private static int Better(IReadOnlyList<PolicyRule> rules, PolicyRule rule, List<int> candidates, int best)
    {
        foreach (int i in candidates)
        {
            if (best >= 0 && i >= best) break;
            if (RuleRelations.Covers(rules[i], rule)) return i;
        }
        return best;
    }
}
