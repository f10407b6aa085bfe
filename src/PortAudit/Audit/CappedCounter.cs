namespace PortAudit.Audit;

/// <summary>
/// Counts flows per key (an address, a port) for at most <see cref="Capacity"/> distinct keys; flows of keys past the
/// limit are only summed under <see cref="OtherFlows"/>. A scan from millions of addresses therefore costs one
/// finding a fixed amount of memory, while the keys met first, usually the ones that matter, stay listed.
/// </summary>
/// <typeparam name="TKey">What is counted; compared to order ties, so that reports do not depend on hashing.</typeparam>
public sealed class CappedCounter<TKey> where TKey : notnull, IComparable<TKey>
{
    /// <summary>Default number of distinct keys kept.</summary>
    public const int DefaultCapacity = 256;

    private readonly Dictionary<TKey, long> _counts = [];

    /// <summary>A counter that keeps up to <paramref name="capacity"/> distinct keys.</summary>
    public CappedCounter(int capacity = DefaultCapacity) => Capacity = capacity;

    /// <summary>Most distinct keys kept.</summary>
    public int Capacity { get; }

    /// <summary>Distinct keys kept: all the keys seen unless <see cref="Overflowed"/>.</summary>
    public int Distinct => _counts.Count;

    /// <summary>True when a key arrived after the counter was full: <see cref="Distinct"/> is then a lower bound.</summary>
    public bool Overflowed => OtherFlows > 0;

    /// <summary>Flows of keys that arrived after the counter was full.</summary>
    public long OtherFlows { get; private set; }

    /// <summary>Counts one flow of <paramref name="key"/>.</summary>
    public void Add(TKey key)
    {
        if (_counts.TryGetValue(key, out long count)) _counts[key] = count + 1;
        else if (_counts.Count < Capacity) _counts.Add(key, 1);
        else OtherFlows++;
    }

    /// <summary>The <paramref name="count"/> keys with most flows, most first (ties in key order).</summary>
    public IReadOnlyList<KeyValuePair<TKey, long>> Top(int count) =>
        _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(count).ToList();

    /// <summary>Flows of every kept key not among the <paramref name="count"/> with most, plus <see cref="OtherFlows"/>.</summary>
    public long FlowsBeyond(int count) => _counts.Values.Sum() - Top(count).Sum(c => c.Value) + OtherFlows;
}
