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
    // Every kept key, most flows first, sorted once when first asked for: the reports ask each counter of each finding
    // several times (report.json, .md, .html, the tshark filter), and sorting it on every ask was 17% of the reports'
    // samples, with the garbage collections its allocations set off. An Add drops it.
    private KeyValuePair<TKey, long>[]? _ordered;

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
        _ordered = null;
        if (_counts.TryGetValue(key, out long count)) _counts[key] = count + 1;
        else if (_counts.Count < Capacity) _counts.Add(key, 1);
        else OtherFlows++;
    }

    /// <summary>The <paramref name="count"/> keys with most flows, most first (ties in key order).</summary>
    public IReadOnlyList<KeyValuePair<TKey, long>> Top(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var ordered = Ordered();
        return count >= ordered.Length ? ordered : new ArraySegment<KeyValuePair<TKey, long>>(ordered, 0, count);
    }

    /// <summary>Flows of every kept key not among the <paramref name="count"/> with most, plus <see cref="OtherFlows"/>.</summary>
    public long FlowsBeyond(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long beyond = OtherFlows;
        var ordered = Ordered();
        for (int i = count; i < ordered.Length; i++) beyond += ordered[i].Value;
        return beyond;
    }

    // Readers on two threads (the report's writers) may both sort a counter not yet sorted: they build equal arrays, and
    // either is kept.
    private KeyValuePair<TKey, long>[] Ordered()
    {
        if (Volatile.Read(ref _ordered) is { } ordered) return ordered;
        ordered = [.. _counts];
        Array.Sort(ordered, static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Key.CompareTo(b.Key));
        Volatile.Write(ref _ordered, ordered);
        return ordered;
    }
}
