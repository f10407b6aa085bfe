using System.Diagnostics;
using System.Numerics;

namespace PortAudit.Flows;

/// <summary>
/// The flows a table holds, found by key: open addressing with linear probing over two arrays, flow references and
/// their keys' hashes. The key is not stored: it is read back from the flow (<see cref="FlowKey.Of"/>) when a hash
/// matches. A held flow so costs 12 bytes per slot at a load of 3/8 to 3/4 (16 to 32 bytes), where a dictionary entry
/// repeats the 40-byte key beside the reference (56 bytes, in a table up to twice the count).
/// </summary>
/// <remarks>
/// The key of a held flow never changes: turning its sides round (<see cref="Flow.ReverseSides"/>) keeps the canonical
/// key. Removal shifts the probe chain back instead of leaving tombstones, so lookups never slow down with churn.
/// </remarks>
internal sealed class FlowSet
{
    private const double MaxLoad = 0.75;

    private Flow?[] _flows;
    private int[] _hashes;
    private int _shift;
    private int _growAt;

    /// <summary>An empty set with room for <paramref name="capacity"/> flows before it first grows.</summary>
    public FlowSet(int capacity)
    {
        int slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, (int)Math.Ceiling(capacity / MaxLoad)));
        _flows = new Flow?[slots];
        _hashes = new int[slots];
        _shift = 64 - BitOperations.Log2((uint)slots);
        _growAt = (int)(slots * MaxLoad);
    }

    /// <summary>Flows held.</summary>
    public int Count { get; private set; }

    /// <summary>The flow held under <paramref name="key"/>, or null.</summary>
    public Flow? Find(in FlowKey key)
    {
        int hash = key.GetHashCode();
        int mask = _flows.Length - 1;
        for (int i = Home(hash); ; i = (i + 1) & mask)
        {
            var flow = _flows[i];
            if (flow is null) return null;
            if (_hashes[i] == hash && FlowKey.Of(flow) == key) return flow;
        }
    }

    /// <summary>
    /// The slot of <paramref name="key"/>: its flow when <paramref name="exists"/>, otherwise a new empty slot, already
    /// counted, that the caller must fill with the flow of that key before any other call.
    /// </summary>
    public ref Flow? FindOrAdd(in FlowKey key, out bool exists)
    {
        if (Count >= _growAt) Grow();
        int hash = key.GetHashCode();
        int mask = _flows.Length - 1;
        int i = Home(hash);
        for (; _flows[i] is { } flow; i = (i + 1) & mask)
        {
            if (_hashes[i] == hash && FlowKey.Of(flow) == key)
            {
                exists = true;
                return ref _flows[i];
            }
        }
        _hashes[i] = hash;
        Count++;
        exists = false;
        return ref _flows[i];
    }

    /// <summary>Removes <paramref name="flow"/>, found under its own key; false when it is not held.</summary>
    public bool Remove(Flow flow)
    {
        int hash = FlowKey.Of(flow).GetHashCode();
        int mask = _flows.Length - 1;
        for (int i = Home(hash); _flows[i] is { } held; i = (i + 1) & mask)
        {
            if (!ReferenceEquals(held, flow)) continue;
            RemoveAt(i);
            Count--;
            return true;
        }
        return false;
    }

    /// <summary>Forgets every flow, keeping the room.</summary>
    public void Clear()
    {
        Array.Clear(_flows);
        Count = 0;
    }

    /// <summary>The held flows, in no particular order; the set must not change while they are read.</summary>
    public Enumerator GetEnumerator() => new(_flows, 0, _flows.Length);

    /// <summary>The number of slots: <see cref="InSlots"/> reads a range of them.</summary>
    public int Slots => _flows.Length;

    /// <summary>
    /// The flows held in slots <paramref name="first"/> up to <paramref name="end"/>, so that threads can read parts of
    /// the set at once; the set must not change while they are read.
    /// </summary>
    public Enumerator InSlots(int first, int end)
    {
        Debug.Assert(0 <= first && first <= end && end <= _flows.Length);
        return new(_flows, first, end);
    }

    /// <summary>Walks the slots; a struct, so that a sweep allocates nothing.</summary>
    public struct Enumerator(Flow?[] slots, int first, int end)
    {
        private int _next = first;

        /// <summary>The flow reached.</summary>
        public Flow Current { get; private set; } = null!;

        /// <summary>The enumerator itself, so that <c>foreach</c> reads a range of slots.</summary>
        public readonly Enumerator GetEnumerator() => this;

        /// <summary>Moves to the next held flow; false after the last.</summary>
        public bool MoveNext()
        {
            while (_next < end)
            {
                if (slots[_next++] is { } flow)
                {
                    Current = flow;
                    return true;
                }
            }
            return false;
        }
    }

    // Fibonacci hashing: the hash's bits are mixed into the top ones, which pick the slot, so keys that differ only in
    // a few low bits (neighbouring ports) still spread.
    private int Home(int hash) => (int)(((ulong)(uint)hash * 0x9E3779B97F4A7C15UL) >> _shift);

    // Backward-shift deletion: each later member of the probe chain whose home does not lie cyclically in (hole, its
    // slot] moves into the hole, which then moves on; the chain ends at the first empty slot.
    private void RemoveAt(int hole)
    {
        int mask = _flows.Length - 1;
        for (int j = (hole + 1) & mask; _flows[j] is not null; j = (j + 1) & mask)
        {
            int home = Home(_hashes[j]);
            bool stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            _flows[hole] = _flows[j];
            _hashes[hole] = _hashes[j];
            hole = j;
        }
        _flows[hole] = null;
    }

    private void Grow()
    {
        var flows = _flows;
        var hashes = _hashes;
        _flows = new Flow?[flows.Length * 2];
        _hashes = new int[flows.Length * 2];
        _shift--;
        _growAt = (int)(_flows.Length * MaxLoad);
        int mask = _flows.Length - 1;
        for (int k = 0; k < flows.Length; k++)
        {
            if (flows[k] is not { } flow) continue;
            int i = Home(hashes[k]);
            while (_flows[i] is not null) i = (i + 1) & mask;
            _flows[i] = flow;
            _hashes[i] = hashes[k];
        }
        Debug.Assert(_flows.Count(f => f is not null) == Count, "growing keeps every flow");
    }
}
