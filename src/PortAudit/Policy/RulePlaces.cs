using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Rules of a chain (by their index in it) each placed under one condition that whatever it matches must meet: its source
/// prefixes, destination prefixes, source ports or destination ports, whichever has the key the fewest rules placed before
/// it wait under; a rule with none of them (any address, negated or unresolved sets, wide port ranges) waits
/// <see cref="Everywhere"/>. Shadowing (<see cref="ShadowIndex"/>) looks for the rules that can cover a rule; a connection's
/// judgement (<see cref="RuleCandidates"/>) for the rules that can match it. Lists hold indices in the order they were added.
/// </summary>
internal sealed class RulePlaces
{
    // Ports of a rule placed under them, past which its ranges are too wide to list port by port.
    private const int MaxPlacedPorts = 1024;

    /// <summary>Rules placed under a source prefix.</summary>
    public PrefixPlaces Source { get; } = new();

    /// <summary>Rules placed under a destination prefix.</summary>
    public PrefixPlaces Destination { get; } = new();

    /// <summary>Rules placed under a source port.</summary>
    public PortPlaces SourcePorts { get; } = new();

    /// <summary>Rules placed under a destination port.</summary>
    public PortPlaces DestinationPorts { get; } = new();

    /// <summary>Rules no condition places.</summary>
    public List<int> Everywhere { get; } = [];

    /// <summary>Places rule <paramref name="i"/>.</summary>
    public void Add(PolicyRule rule, int i)
    {
        var source = Placeable(rule.Source);
        var destination = Placeable(rule.Destination);
        var sourcePorts = Placeable(rule.SourcePorts);
        var destinationPorts = Placeable(rule.DestinationPorts);
        // Any one of the four is a correct place (a lookup tries all four), so the rule goes where its rarest key is rarest,
        // as a lookup looks under its rarest: 16,000 ASA entries between the same two hosts, each on a port of its own, were
        // each tried against every earlier one under their shared source (over 100 s); under their ports, against none. A
        // sum over its prefixes instead would spread rules that share one source of two among all four places.
        long bySource = source is null ? long.MaxValue : Source.Rarest(source);
        long byDestination = destination is null ? long.MaxValue : Destination.Rarest(destination);
        long bySourcePort = sourcePorts is null ? long.MaxValue : SourcePorts.Rarest(sourcePorts);
        long byDestinationPort = destinationPorts is null ? long.MaxValue : DestinationPorts.Rarest(destinationPorts);
        long fewest = Math.Min(Math.Min(bySource, byDestination), Math.Min(bySourcePort, byDestinationPort));
        if (fewest == long.MaxValue) Everywhere.Add(i);
        else if (bySource == fewest) Source.Add(source!, i);
        else if (byDestination == fewest) Destination.Add(destination!, i);
        else if (byDestinationPort == fewest) DestinationPorts.Add(destinationPorts!, i);
        else SourcePorts.Add(sourcePorts!, i);
    }

    /// <summary>Addresses one of which whatever the rule matches lies in: resolved, not negated, not any, some prefixes.</summary>
    public static AddressMatch? Placeable(AddressMatch? match) =>
        match is { Negated: false, Unresolved: false, IsAny: false, Prefixes.Count: > 0 } ? match : null;

    /// <summary>Ports listed one by one: not negated, at least one, at most 1,024.</summary>
    public static PortMatch? Placeable(PortMatch? match) =>
        match is { Negated: false, Ranges.Count: > 0 } && match.Ranges.Sum(r => (long)r.Count) <= MaxPlacedPorts ? match : null;

    private static List<int> Bucket<TKey>(Dictionary<TKey, List<int>> places, TKey key) where TKey : notnull =>
        places.TryGetValue(key, out var list) ? list : places[key] = [];

    /// <summary>Rules under each of their prefixes (of one side).</summary>
    internal sealed class PrefixPlaces
    {
        private readonly PrefixTable<List<int>> _rules = new();

        /// <summary>The fewest rules waiting under one of the match's prefixes.</summary>
        public long Rarest(AddressMatch match)
        {
            long fewest = long.MaxValue;
            foreach (var prefix in match.Prefixes)
                fewest = Math.Min(fewest, _rules.TryGet(prefix, out var list) ? list.Count : 0);
            return fewest;
        }

        /// <summary>Places rule <paramref name="i"/> under each of the match's prefixes.</summary>
        public void Add(AddressMatch match, int i)
        {
            foreach (var prefix in match.Prefixes)
            {
                // A network with bits past its length holds nothing (IpPrefix.Contains masks the address): never a match.
                if (IpPrefix.Mask(prefix.Network, prefix.Length) != prefix.Network) continue;
                var list = _rules.GetOrAdd(prefix, () => []);
                if (list.Count == 0 || list[^1] != i) list.Add(i);
            }
        }

        /// <summary>The lists of rules waiting under a prefix containing <paramref name="prefix"/> (a host: <see cref="IpPrefix.Single"/>).</summary>
        public PrefixTable<List<int>>.Containing Containing(IpPrefix prefix) => _rules.Holding(prefix);

        /// <summary>How many rules wait under a prefix containing <paramref name="prefix"/>.</summary>
        public long Count(IpPrefix prefix)
        {
            long count = 0;
            foreach (var list in _rules.Holding(prefix)) count += list.Count;
            return count;
        }
    }

    /// <summary>Rules under each of their ports (of one side).</summary>
    internal sealed class PortPlaces
    {
        private readonly Dictionary<int, List<int>> _rules = [];

        /// <summary>The fewest rules waiting under one of the ports.</summary>
        public long Rarest(PortMatch ports)
        {
            long fewest = long.MaxValue;
            foreach (var range in ports.Ranges)
                for (int port = range.Low; port <= range.High; port++)
                    fewest = Math.Min(fewest, _rules.TryGetValue(port, out var list) ? list.Count : 0);
            return fewest;
        }

        /// <summary>Places rule <paramref name="i"/> under each of the ports.</summary>
        public void Add(PortMatch ports, int i)
        {
            foreach (var range in ports.Ranges)
                for (int port = range.Low; port <= range.High; port++)
                {
                    var list = Bucket(_rules, port);
                    if (list.Count == 0 || list[^1] != i) list.Add(i);
                }
        }

        /// <summary>The rules waiting under <paramref name="port"/>, or null.</summary>
        public List<int>? Under(int port) => _rules.TryGetValue(port, out var list) ? list : null;
    }
}
