namespace PortAudit.Catalog;

/// <summary>
/// The roles one host plays, as a bit set over a <see cref="RuleIndex"/>'s role numbering, so
/// that matching a flow against rules tests bits instead of comparing strings.
/// Build one per host once; queries then allocate nothing.
/// </summary>
public sealed class RoleSet
{
    private readonly ulong[] _bits;

    internal RoleSet(int roleCount, IEnumerable<int> members)
    {
        _bits = new ulong[(roleCount + 63) / 64];
        foreach (int member in members)
            _bits[member >> 6] |= 1UL << (member & 63);
    }

    private RoleSet(ulong[] bits) => _bits = bits;

    /// <summary>
    /// The roles of any of <paramref name="sets"/> (at least one, all of one index): what an end standing for several hosts,
    /// such as a subnet broadcast, matches rules with.
    /// </summary>
    public static RoleSet Union(IReadOnlyList<RoleSet> sets)
    {
        var bits = new ulong[sets[0]._bits.Length];
        foreach (var set in sets)
            for (int i = 0; i < bits.Length; i++)
                bits[i] |= set._bits[i];
        return new RoleSet(bits);
    }

    /// <summary>True when the two sets share a member (sets of one index, so of one size).</summary>
    internal bool Intersects(RoleSet other)
    {
        for (int i = 0; i < _bits.Length; i++)
            if ((_bits[i] & other._bits[i]) != 0)
                return true;
        return false;
    }

    /// <summary>True when the role numbered <paramref name="role"/> is in the set.</summary>
    internal bool Contains(int role) => (_bits[role >> 6] & (1UL << (role & 63))) != 0;
}
