using System.Diagnostics.CodeAnalysis;

namespace PortAudit.Audit;

/// <summary>
/// The key a table was last asked for, and what it answered. Judging goes through flows in order of start, and
/// consecutive flows usually share their ends (one host opening many connections), so most of the lookups made per flow
/// repeat the one before: a hit costs one comparison instead of hashing the key (label strings, say) and a likely cache
/// miss in a large table. The table stays the answer; this only remembers one of its entries.
/// </summary>
/// <typeparam name="TKey">The table's key, compared with its own equality.</typeparam>
/// <typeparam name="TValue">What the table holds for it.</typeparam>
internal struct LastLookup<TKey, TValue> where TKey : IEquatable<TKey>
{
    private TKey _key;
    private TValue _value;
    private bool _held;

    /// <summary>The value remembered for <paramref name="key"/>, if the last key remembered is equal to it.</summary>
    public readonly bool TryGet(in TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        value = _value;
        return _held && _key.Equals(key);
    }

    /// <summary>Remembers <paramref name="value"/> as the table's answer for <paramref name="key"/>.</summary>
    public void Remember(in TKey key, TValue value)
    {
        _key = key;
        _value = value;
        _held = true;
    }
}
