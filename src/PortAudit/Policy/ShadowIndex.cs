namespace PortAudit.Policy;

/// <summary>
/// Which earlier rule of a first-match chain shadows each rule: the first terminal rule that sees new connections and
/// <see cref="RuleRelations.Covers"/> it. The same answer as trying every earlier rule, but each rule is tried only against
/// the earlier rules that can cover it: a rule that covers another contains every one of its source prefixes, every one of
/// its destination prefixes and every one of its source and destination ports, or matches any of one of them. Earlier
/// rules wait in <see cref="RulePlaces"/>, and a rule looks in each of the four places under whichever of its own prefixes
/// or ports the fewest earlier rules can hold, so a 100,000-rule chain costs what its rules share, not 5·10^9 comparisons
/// (issue 43).
/// </summary>
/// <remarks>
/// Earlier rules are kept apart by the interfaces they name (<see cref="Interfaces"/>): a rule on one interface covers only
/// rules on the same one, so a rule looks among the rules on its own interfaces and those on any. 20,000 rules between the
/// same two hosts on the same port, each on an interface of its own, were each tried against every earlier one (16 s for
/// the lab audit with them); now against none. Still quadratic where rules share their rarest prefix or port of all four
/// and their interfaces, and do not cover one another for another reason (protocols, states).
/// </remarks>
internal sealed class ShadowIndex
{
    // A rule's prefixes or port ranges weighed when it chooses where to look: a group of thousands looks under one of its
    // first few, not after thousands of lookups.
    private const int MaxWeighed = 16;

    // The earlier rules that can cover others, by the interfaces they name (null: any).
    private readonly Dictionary<Interfaces, Partition> _partitions = [];

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
            if (rule.IsTerminal && RuleRelations.SeesNewConnections(rule) && rule.Undecidable.Count == 0)
                index.PartitionOf(new Interfaces(rule.InInterface, rule.OutInterface)).Add(rule, i);
        }
        return shadowedBy;
    }

    // The index of the first earlier rule that covers rule, or -1: among the earlier rules on the rule's interfaces or on
    // any (RuleRelations.Covers asks an earlier rule's interface to be the later's, when it names one).
    private int FirstCovering(IReadOnlyList<PolicyRule> rules, PolicyRule rule)
    {
        string? input = rule.InInterface, output = rule.OutInterface;
        int best = Look(rules, rule, new Interfaces(null, null), -1);
        if (input is not null) best = Look(rules, rule, new Interfaces(input, null), best);
        if (output is not null) best = Look(rules, rule, new Interfaces(null, output), best);
        if (input is not null && output is not null) best = Look(rules, rule, new Interfaces(input, output), best);
        return best;
    }

    private int Look(IReadOnlyList<PolicyRule> rules, PolicyRule rule, Interfaces interfaces, int best) =>
        _partitions.TryGetValue(interfaces, out var partition) ? partition.FirstCovering(rules, rule, best) : best;

    private Partition PartitionOf(Interfaces interfaces) =>
        _partitions.TryGetValue(interfaces, out var partition) ? partition : _partitions[interfaces] = new Partition();

    // The interfaces an earlier rule names, each null when it names none.
    private readonly record struct Interfaces(string? Input, string? Output);

    // The earlier rules on one pair of interfaces.
    private sealed class Partition
    {
        private readonly RulePlaces _places = new();
        private readonly List<int> _all = [];

        public void Add(PolicyRule rule, int i)
        {
            _all.Add(i);
            _places.Add(rule, i);
        }

        // The first of these rules that covers rule, if before best (or best).
        public int FirstCovering(IReadOnlyList<PolicyRule> rules, PolicyRule rule, int best)
        {
            // A match of no prefixes or no ranges is covered vacuously by any of its kind: every earlier rule is a candidate.
            if (rule.Source is { Prefixes.Count: 0 } || rule.Destination is { Prefixes.Count: 0 }
                || rule.SourcePorts is { Ranges.Count: 0 } || rule.DestinationPorts is { Ranges.Count: 0 })
                return Better(rules, rule, _all, best);
            best = Better(rules, rule, _places.Everywhere, best);
            if (RulePlaces.Placeable(rule.Source) is { } source) best = Containing(rules, rule, _places.Source, source, best);
            if (RulePlaces.Placeable(rule.Destination) is { } destination) best = Containing(rules, rule, _places.Destination, destination, best);
            if (rule.SourcePorts is { Negated: false } sourcePorts) best = Containing(rules, rule, _places.SourcePorts, sourcePorts, best);
            if (rule.DestinationPorts is { Negated: false } destinationPorts) best = Containing(rules, rule, _places.DestinationPorts, destinationPorts, best);
            return best;
        }
    }

    // Looks under whichever of the rule's first prefixes the fewest earlier rules can contain.
    private static int Containing(IReadOnlyList<PolicyRule> rules, PolicyRule rule, RulePlaces.PrefixPlaces places, AddressMatch match, int best)
    {
        var rarest = match.Prefixes[0];
        long fewest = places.Count(rarest);
        for (int k = 1; k < Math.Min(match.Prefixes.Count, MaxWeighed) && fewest > 0; k++)
        {
            long count = places.Count(match.Prefixes[k]);
            if (count < fewest) (rarest, fewest) = (match.Prefixes[k], count);
        }
        if (fewest == 0) return best;
        foreach (var list in places.Containing(rarest)) best = Better(rules, rule, list, best);
        return best;
    }

    // Looks under whichever low port of the rule's first ranges the fewest earlier rules wait for.
    private static int Containing(IReadOnlyList<PolicyRule> rules, PolicyRule rule, RulePlaces.PortPlaces places, PortMatch ports, int best)
    {
        List<int>? rarest = null;
        for (int k = 0; k < Math.Min(ports.Ranges.Count, MaxWeighed); k++)
        {
            if (places.Under(ports.Ranges[k].Low) is not { } list) return best;
            if (rarest is null || list.Count < rarest.Count) rarest = list;
        }
        return rarest is null ? best : Better(rules, rule, rarest, best);
    }

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
