using System.Runtime.CompilerServices;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Whether one of a rule's prefixes contains a given prefix, answered by hashing the given prefix masked to each length the
/// rule's prefixes have, instead of trying them one by one: two ASA rules on a 4,000-host object-group each were 16·10^6
/// containment tests per comparison, and 500 such entries took 85 s to analyse for shadowing; now 4,000 lookups. The same
/// for a flow's address against such a rule (<see cref="AddressMatch.Match"/>): a lookup, not 4,000 tests.
/// </summary>
/// <remarks>
/// Built once per list of prefixes, on the first comparison that needs it, and kept beside it as long as it lives (a
/// <see cref="ConditionalWeakTable{TKey,TValue}"/>: an <see cref="AddressMatch"/> is a record, whose equality a cached field
/// would change). The rules that name one ASA object-group share its expanded list (<see cref="AsaObjects.Network"/>), so
/// they share one lookup: 500 entries on two 4,000-host groups made 500 lookups of 4,000 prefixes, now two. Answers what <c>prefixes.Any(w => w.Contains(n))</c> answers, no more: a prefix spread over two of the
/// rule's prefixes is not contained.
/// </remarks>
internal sealed class PrefixContainment
{
    // Below this many prefixes the direct test is as fast as a lookup per length.
    private const int DirectBelow = 16;
    private static readonly ConditionalWeakTable<IReadOnlyList<IpPrefix>, PrefixContainment> Built = [];

    // Each prefix under itself: a prefix found is tested whole, as the direct test does.
    private readonly PrefixTable<IpPrefix> _prefixes = new();

    private PrefixContainment(IReadOnlyList<IpPrefix> prefixes)
    {
        foreach (var prefix in prefixes) _prefixes.GetOrAdd(prefix, () => prefix);
    }

    /// <summary>True when one of <paramref name="wide"/>'s prefixes contains <paramref name="narrow"/>.</summary>
    public static bool AnyContains(AddressMatch wide, IpPrefix narrow)
    {
        var prefixes = wide.Prefixes;
        if (prefixes.Count < DirectBelow)
        {
            for (int i = 0; i < prefixes.Count; i++)
                if (prefixes[i].Contains(narrow)) return true;
            return false;
        }
        return Built.GetValue(prefixes, static list => new PrefixContainment(list)).Contains(narrow);
    }

    // A prefix that contains narrow has narrow's network masked to its own length; Contains then checks the family and
    // that the prefix holds no bits past its length.
    private bool Contains(IpPrefix narrow)
    {
        foreach (var wide in _prefixes.Holding(narrow))
            if (wide.Contains(narrow)) return true;
        return false;
    }
}
