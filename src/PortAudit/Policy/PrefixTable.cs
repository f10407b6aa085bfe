using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Values kept under prefixes, found from a prefix (or a host, <see cref="IpPrefix.Single"/>) they may contain: the
/// prefix masked to each length the table holds is one lookup, so a table of thousands of prefixes answers in as many
/// lookups as it has lengths. A value found was kept under a prefix with the same bits up to its length; whether that
/// prefix contains the given one (its family, its own stray bits) is the caller's test.
/// </summary>
internal sealed class PrefixTable<T>
{
    private readonly Dictionary<IpPrefix, T> _values = [];
    // The lengths held, ascending: a plain list, walked for every lookup without allocating.
    private readonly List<int> _lengths = [];

    /// <summary>The value kept under exactly <paramref name="prefix"/>.</summary>
    public bool TryGet(IpPrefix prefix, out T value) => _values.TryGetValue(prefix, out value!);

    /// <summary>The value kept under exactly <paramref name="prefix"/>, made by <paramref name="make"/> when there is none.</summary>
    public T GetOrAdd(IpPrefix prefix, Func<T> make)
    {
        if (_values.TryGetValue(prefix, out var value)) return value;
        _values[prefix] = value = make();
        int at = _lengths.BinarySearch(prefix.Length);
        if (at < 0) _lengths.Insert(~at, prefix.Length);
        return value;
    }

    /// <summary>The values kept under a prefix as long as <paramref name="narrow"/> or shorter with its bits, shortest first.</summary>
    public Containing Holding(IpPrefix narrow) => new(this, narrow);

    /// <summary>The values under the prefixes that may contain one prefix (an enumerator over <see cref="Holding"/>).</summary>
    public struct Containing(PrefixTable<T> table, IpPrefix narrow)
    {
        private int _next;

        /// <summary>The value found.</summary>
        public T Current { get; private set; } = default!;

        /// <summary>Itself, for foreach.</summary>
        public readonly Containing GetEnumerator() => this;

        /// <summary>Finds the next value; false when none is left.</summary>
        public bool MoveNext()
        {
            while (_next < table._lengths.Count)
            {
                int length = table._lengths[_next++];
                if (length > narrow.Length) break;
                if (table._values.TryGetValue(new IpPrefix(IpPrefix.Mask(narrow.Network, length), length), out var value))
                {
                    Current = value;
                    return true;
                }
            }
            _next = table._lengths.Count;
            return false;
        }
    }
}
