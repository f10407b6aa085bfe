using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Two matches on one field of one rule (nftables <c>tcp dport 1-100 tcp dport != 22</c>, <c>ip saddr X ip saddr != Y</c>;
/// iptables <c>--dport</c> with <c>-m multiport --dports</c>): the kernel tests both, so the rule matches what both allow.
/// The model holds one match a field, so the two become the one match of their intersection, or null where it cannot be
/// held exactly (an unresolved set, an address subtraction past <see cref="MaxPrefixes"/> prefixes).
/// </summary>
internal static class MatchIntersection
{
    /// <summary>The most prefixes an address match made of a subtraction holds: an IPv6 /0 less one address is 128.</summary>
    public const int MaxPrefixes = 256;

    /// <summary>The addresses both <paramref name="first"/> and <paramref name="second"/> match, or null when it cannot be held exactly.</summary>
    public static AddressMatch? Of(AddressMatch first, AddressMatch second)
    {
        if (first.Unresolved || second.Unresolved) return null;
        if (first.Negated && second.Negated) return new AddressMatch([.. first.Prefixes, .. second.Prefixes], Negated: true);
        if (!first.Negated && !second.Negated)
            return new AddressMatch(first.Prefixes.SelectMany(a => second.Prefixes.Where(b => a.Contains(b) || b.Contains(a))
                .Select(b => a.Length >= b.Length ? a : b)).Distinct().ToList());
        var (kept, taken) = first.Negated ? (second, first) : (first, second);
        var result = kept.Prefixes.ToList();
        foreach (var hole in taken.Prefixes)
        {
            result = result.SelectMany(p => Without(p, hole)).ToList();
            if (result.Count > MaxPrefixes) return null;
        }
        return new AddressMatch(result.OrderBy(p => p.Network).ThenBy(p => p.Length).ToList());
    }

    /// <summary>The ports both <paramref name="first"/> and <paramref name="second"/> match, as ranges (not negated).</summary>
    public static PortMatch Of(PortMatch first, PortMatch second)
    {
        var a = Positive(first);
        var b = Positive(second);
        var both = new List<PortRange>();
        foreach (var x in a)
        foreach (var y in b)
            if (Math.Max(x.Low, y.Low) <= Math.Min(x.High, y.High)) both.Add(new PortRange(Math.Max(x.Low, y.Low), Math.Min(x.High, y.High)));
        return new PortMatch(both.OrderBy(r => r.Low).ToList());
    }

    // The ports a match holds, as ranges in order, whatever its negation.
    private static List<PortRange> Positive(PortMatch match)
    {
        var sorted = match.Ranges.OrderBy(r => r.Low).ToList();
        if (!match.Negated) return sorted;
        var gaps = new List<PortRange>();
        int next = 0;
        foreach (var range in sorted)
        {
            if (range.Low > next) gaps.Add(new PortRange(next, range.Low - 1));
            next = Math.Max(next, range.High + 1);
        }
        if (next <= PortRange.MaxPort) gaps.Add(new PortRange(next, PortRange.MaxPort));
        return gaps;
    }

    // The prefixes of prefix less hole: each half on the way down to the hole that does not hold it.
    private static IEnumerable<IpPrefix> Without(IpPrefix prefix, IpPrefix hole)
    {
        if (hole.Contains(prefix)) yield break;
        if (!prefix.Contains(hole)) { yield return prefix; yield break; }
        var current = prefix;
        while (current.Length < hole.Length)
        {
            var (low, high) = Halves(current);
            bool holeHigh = high.Contains(hole);
            yield return holeHigh ? low : high;
            current = holeHigh ? high : low;
        }
    }

    private static (IpPrefix Low, IpPrefix High) Halves(IpPrefix prefix)
    {
        int length = prefix.Length + 1;
        var network = prefix.Network;
        var high = prefix.Length < 64 ? new IpAddr(network.High | 1UL << (63 - prefix.Length), network.Low)
            : new IpAddr(network.High, network.Low | 1UL << (127 - prefix.Length));
        return (new IpPrefix(network, length), new IpPrefix(high, length));
    }
}
