using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Which earlier rule of a first-match chain shadows each rule: the first terminal rule that sees new connections and
/// <see cref="RuleRelations.Covers"/> it. The same answer as trying every earlier rule, but each rule is tried only against
/// the earlier rules that can cover it, found through an index: a rule that covers another contains every one of its source
/// prefixes, every one of its destination prefixes, every one of its source and destination ports, or matches any of one
/// of them. Each earlier rule is indexed under one of these four (the one where its rarest prefix or port holds the fewest
/// earlier rules; as a wildcard when none can be indexed), and a rule looks in each of the four under whichever of its own prefixes or ports
/// the fewest earlier rules wait for, so a 100,000-rule chain costs what its rules share, not 5·10^9 comparisons
/// (issue 43).
/// </summary>
/// <remarks>
/// Still quadratic where rules share their rarest prefix or port of all four and do not cover one another for another
/// reason (protocols, states, interfaces): 20,000 rules between the same two hosts on the same port, each on an interface
/// of its own, are each tried against every earlier one.
/// </remarks>
internal sealed class ShadowIndex
{
    // Ports of a rule indexed by them, past which its ranges are too wide to list port by port: it is then a wildcard.
    private const int MaxIndexedPorts = 1024;
    // A rule's prefixes or port ranges weighed when it chooses where to look: a group of thousands looks under one of its
    // first few, not after thousands of lookups.
    private const int MaxWeighed = 16;

    private readonly PrefixPlaces _bySource = new(), _byDestination = new();
    private readonly PortPlaces _bySourcePort = new(), _byDestinationPort = new();
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
        var sourcePorts = Indexable(rule.SourcePorts);
        var destinationPorts = Indexable(rule.DestinationPorts);
        // Any one of the four is a correct place (a lookup tries all four), so the rule goes where its rarest prefix or
        // port is rarest, as a lookup looks under its rarest: 16,000 ASA entries between the same two hosts, each on a
        // port of its own, were each tried against every earlier one under their shared source (over 100 s); under their
        // ports, against none. A sum over its prefixes instead would spread rules that share one source of two among all
        // four places, where the others' lookups find them.
        long bySource = source is null ? long.MaxValue : _bySource.Rarest(source);
        long byDestination = destination is null ? long.MaxValue : _byDestination.Rarest(destination);
        long bySourcePort = sourcePorts is null ? long.MaxValue : _bySourcePort.Rarest(sourcePorts);
        long byDestinationPort = destinationPorts is null ? long.MaxValue : _byDestinationPort.Rarest(destinationPorts);
        long fewest = Math.Min(Math.Min(bySource, byDestination), Math.Min(bySourcePort, byDestinationPort));
        if (fewest == long.MaxValue) _wildcards.Add(i);
        else if (bySource == fewest) _bySource.Add(source!, i);
        else if (byDestination == fewest) _byDestination.Add(destination!, i);
        else if (byDestinationPort == fewest) _byDestinationPort.Add(destinationPorts!, i);
        else _bySourcePort.Add(sourcePorts!, i);
    }

    // Addresses a covering rule must contain one of: resolved, not negated, not any, at least one prefix.
    private static AddressMatch? Indexable(AddressMatch? match) =>
        match is { Negated: false, Unresolved: false, IsAny: false, Prefixes.Count: > 0 } ? match : null;

    // Ports listed one by one: not negated, at least one, at most MaxIndexedPorts.
    private static PortMatch? Indexable(PortMatch? match) =>
        match is { Negated: false, Ranges.Count: > 0 } && match.Ranges.Sum(r => (long)r.Count) <= MaxIndexedPorts ? match : null;

    // The index of the first indexed rule that covers rule, or -1.
    private int FirstCovering(IReadOnlyList<PolicyRule> rules, PolicyRule rule)
    {
        // A match of no prefixes or no ranges is covered vacuously by any of its kind: every earlier rule is a candidate.
        if (rule.Source is { Prefixes.Count: 0 } || rule.Destination is { Prefixes.Count: 0 }
            || rule.SourcePorts is { Ranges.Count: 0 } || rule.DestinationPorts is { Ranges.Count: 0 })
            return First(rules, rule, _all);
        int best = First(rules, rule, _wildcards);
        if (Indexable(rule.Source) is { } source) best = _bySource.Better(rules, rule, source, best);
        if (Indexable(rule.Destination) is { } destination) best = _byDestination.Better(rules, rule, destination, best);
        if (rule.SourcePorts is { Negated: false } sourcePorts) best = _bySourcePort.Better(rules, rule, sourcePorts, best);
        if (rule.DestinationPorts is { Negated: false } destinationPorts) best = _byDestinationPort.Better(rules, rule, destinationPorts, best);
        return best;
    }

    private static List<int> Bucket<TKey>(Dictionary<TKey, List<int>> index, TKey key) where TKey : notnull =>
        index.TryGetValue(key, out var list) ? list : index[key] = [];

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

    // Earlier rules under each of their prefixes (of one side). A rule that covers another has, for each of the other's
    // prefixes, one that contains it: it waits under every prefix of that prefix's length or shorter.
    private sealed class PrefixPlaces
    {
        private readonly Dictionary<IpPrefix, List<int>> _rules = [];
        private readonly SortedSet<int> _lengths = [];

        // The fewest earlier rules waiting under one of the match's prefixes.
        public long Rarest(AddressMatch match)
        {
            long fewest = long.MaxValue;
            foreach (var prefix in match.Prefixes)
                fewest = Math.Min(fewest, _rules.TryGetValue(prefix, out var list) ? list.Count : 0);
            return fewest;
        }

        public void Add(AddressMatch match, int i)
        {
            foreach (var prefix in match.Prefixes.Distinct())
            {
                // A network with bits past its length contains nothing (IpPrefix.Contains masks the address): never a cover.
                if (IpPrefix.Mask(prefix.Network, prefix.Length) != prefix.Network) continue;
                Bucket(_rules, prefix).Add(i);
                _lengths.Add(prefix.Length);
            }
        }

        // Looks under whichever of the rule's first prefixes the fewest earlier rules can contain.
        public int Better(IReadOnlyList<PolicyRule> rules, PolicyRule rule, AddressMatch match, int best)
        {
            var rarest = match.Prefixes[0];
            long fewest = Containing(rarest, null);
            for (int k = 1; k < Math.Min(match.Prefixes.Count, MaxWeighed) && fewest > 0; k++)
            {
                long count = Containing(match.Prefixes[k], null);
                if (count < fewest) (rarest, fewest) = (match.Prefixes[k], count);
            }
            if (fewest > 0) Containing(rarest, list => best = ShadowIndex.Better(rules, rule, list, best));
            return best;
        }

        // How many earlier rules wait under a prefix containing the given one; each list to visit, when given.
        private long Containing(IpPrefix prefix, Action<List<int>>? visit)
        {
            long count = 0;
            foreach (int length in _lengths)
            {
                if (length > prefix.Length) break;
                if (!_rules.TryGetValue(new IpPrefix(IpPrefix.Mask(prefix.Network, length), length), out var list)) continue;
                count += list.Count;
                visit?.Invoke(list);
            }
            return count;
        }
    }

    // Earlier rules under each of their ports (of one side). A rule that covers another has every one of its ports.
    private sealed class PortPlaces
    {
        private readonly Dictionary<int, List<int>> _rules = [];

        // The fewest earlier rules waiting under one of the ports.
        public long Rarest(PortMatch ports)
        {
            long fewest = long.MaxValue;
            foreach (var range in ports.Ranges)
                for (int port = range.Low; port <= range.High; port++)
                    fewest = Math.Min(fewest, _rules.TryGetValue(port, out var list) ? list.Count : 0);
            return fewest;
        }

        public void Add(PortMatch ports, int i)
        {
            foreach (var range in ports.Ranges)
                for (int port = range.Low; port <= range.High; port++) Bucket(_rules, port).Add(i);
        }

        // Looks under whichever low port of the rule's first ranges the fewest earlier rules wait for.
        public int Better(IReadOnlyList<PolicyRule> rules, PolicyRule rule, PortMatch ports, int best)
        {
            List<int>? rarest = null;
            for (int k = 0; k < Math.Min(ports.Ranges.Count, MaxWeighed); k++)
            {
                if (!_rules.TryGetValue(ports.Ranges[k].Low, out var list)) return best;
                if (rarest is null || list.Count < rarest.Count) rarest = list;
            }
            return rarest is null ? best : ShadowIndex.Better(rules, rule, rarest, best);
        }
    }
}
