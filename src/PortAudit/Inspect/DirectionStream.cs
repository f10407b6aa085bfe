using System.Buffers;

namespace PortAudit.Inspect;

/// <summary>
/// The first bytes of one TCP direction in sequence order: segments are placed by their sequence number,
/// retransmitted bytes are dropped, and a few segments that arrive early wait for the gap to fill.
/// Bounded by a capacity; not a full reassembler (a gap that never fills stops the stream).
/// </summary>
public sealed class DirectionStream
{
    private const int MaxPending = 4;
    private byte[] _buffer = Array.Empty<byte>();
    private int _length;
    private uint _next;
    private bool _started;
    private List<(uint Seq, byte[] Bytes)>? _pending;

    /// <summary>Creates a stream that keeps at most <paramref name="capacity"/> bytes.</summary>
    public DirectionStream(int capacity) => Capacity = capacity;

    /// <summary>Most bytes held at once; beyond it new bytes are dropped and <see cref="Full"/> becomes true.</summary>
    public int Capacity { get; set; }

    /// <summary>True once bytes had to be dropped for lack of room.</summary>
    public bool Full { get; private set; }

    /// <summary>The bytes held, in order.</summary>
    public ReadOnlySpan<byte> Data => _buffer.AsSpan(0, _length);

    /// <summary>Notes a SYN: the data starts one past its sequence number.</summary>
    public void Syn(uint sequence)
    {
        if (_started) return;
        _next = sequence + 1;
        _started = true;
    }

    /// <summary>Adds a segment; true when new in-order bytes were added.</summary>
    public bool Add(uint sequence, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return false;
        if (!_started)
        {
            _next = sequence;
            _started = true;
        }
        int offset = (int)(sequence - _next);
        if (offset > 0)
        {
            Hold(sequence, payload);
            return false;
        }
        bool added = Append(offset, payload);
        while (_pending is { Count: > 0 } && TakePending(out var segment))
            added |= Append((int)(segment.Seq - _next), segment.Bytes);
        return added;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes (a follower consumed them).</summary>
    public void Consume(int count)
    {
        count = Math.Clamp(count, 0, _length);
        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
    }

    /// <summary>Returns the buffer to the pool; the stream is empty afterwards.</summary>
    public void Release()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = Array.Empty<byte>();
        _length = 0;
        _pending = null;
    }

    private bool Append(int offset, ReadOnlySpan<byte> payload)
    {
        // offset <= 0: the first -offset bytes were seen already (a retransmission or an overlap). Negated as a long:
        // a segment 2^31 bytes behind has offset int.MinValue, which an int negates to itself.
        long seen = -(long)offset;
        if (seen >= payload.Length) return false;
        var fresh = payload[(int)seen..];
        _next += (uint)fresh.Length;
        int room = Capacity - _length;
        if (fresh.Length > room)
        {
            Full = true;
            fresh = fresh[..Math.Max(0, room)];
        }
        if (fresh.IsEmpty) return false;
        Reserve(_length + fresh.Length);
        fresh.CopyTo(_buffer.AsSpan(_length));
        _length += fresh.Length;
        return true;
    }

    private void Reserve(int size)
    {
        if (size <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(size, Math.Min(Capacity, Math.Max(512, _buffer.Length * 2))));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private void Hold(uint sequence, ReadOnlySpan<byte> payload)
    {
        _pending ??= new List<(uint, byte[])>(MaxPending);
        if (_pending.Count >= MaxPending) return;
        _pending.Add((sequence, payload.ToArray()));
    }

    private bool TakePending(out (uint Seq, byte[] Bytes) segment)
    {
        for (int i = 0; i < _pending!.Count; i++)
        {
            if ((int)(_pending[i].Seq - _next) > 0) continue;
            segment = _pending[i];
            _pending.RemoveAt(i);
            return true;
        }
        segment = default;
        return false;
    }
}
