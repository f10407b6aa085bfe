using System.Buffers;

namespace PortAudit.Inspect;

/// <summary>
/// The bytes of one TCP direction in sequence order: segments are placed by their sequence number, the first copy of a
/// byte wins (a retransmission or an overlap adds nothing, and one whose bytes differ from those kept is noted,
/// <see cref="Inconsistent"/>), urgent data's last byte is left out as a receiver's socket takes it out of band
/// (<see cref="Urgent"/>), and segments that arrive early wait for the gap to fill. A reader drops what it has read
/// (<see cref="Consume"/>) and may drop bytes still to come unread (<see cref="Skip"/>). Bounded: at most
/// <see cref="Capacity"/> unread bytes (a segment that begins below it is kept whole, up to <see cref="MaxSegment"/>),
/// <see cref="History"/> bytes already read kept to compare retransmissions with, and <see cref="MaxPending"/> early
/// segments of at most <see cref="Capacity"/> bytes in all.
/// </summary>
public sealed class DirectionStream
{
    /// <summary>Early segments held at most; one more, or more bytes than the capacity, breaks the stream.</summary>
    public const int MaxPending = 32;

    /// <summary>Bytes already read kept behind <see cref="Data"/>, to compare a late retransmission with.</summary>
    public const int History = 2048;

    /// <summary>Most bytes one segment may add to a stream below its capacity (a TCP segment, or a receive offload's merge of several).</summary>
    public const int MaxSegment = 65536;

    private byte[] _buffer = Array.Empty<byte>();
    // _buffer[.._start] was read (history), _buffer[_start.._length] is Data; _buffer[_length - 1] is the byte before _next.
    private int _start, _length;
    private uint _next;
    private bool _started;
    private long _skip;
    private List<(uint Seq, byte[] Bytes, int Length)>? _pending;
    private int _pendingBytes;
    // Buffer index from which each byte sits at its sequence number (_next - _length + index): an urgent byte taken out
    // shifts the bytes before it.
    private int _exactFrom;
    private bool _urgent;
    private uint _urgentSequence;
    private byte[]? _synData;
    private int _synLength;
    private uint _synSequence;

    /// <summary>Creates a stream that keeps at most <paramref name="capacity"/> unread bytes.</summary>
    public DirectionStream(int capacity) => Capacity = capacity;

    /// <summary>Most unread bytes held at once; a segment that begins below it is kept whole, beyond it bytes are dropped and <see cref="Full"/> becomes true.</summary>
    public int Capacity { get; set; }

    /// <summary>True once the stream held <see cref="Capacity"/> bytes or more, or had to drop bytes for lack of room.</summary>
    public bool Full { get; private set; }

    /// <summary>
    /// Why bytes of this direction are missing for good, or null: bytes dropped for lack of room, or an early segment that
    /// could not be held (a gap in the capture, or reordering past <see cref="MaxPending"/> segments). Data after the hole
    /// never comes: the stream stops there.
    /// </summary>
    public string? Broken { get; private set; }

    /// <summary>
    /// True once a segment carried, for bytes already seen, different bytes: the first ones were kept, and what the
    /// receiver took cannot be known from here (a packet the capture saw but the receiver dropped: an IDS evasion).
    /// </summary>
    public bool Inconsistent { get; private set; }

    /// <summary>The unread bytes held, in order.</summary>
    public ReadOnlySpan<byte> Data => _buffer.AsSpan(_start, _length - _start);

    /// <summary>Notes a SYN: the data starts one past its sequence number.</summary>
    public void Syn(uint sequence)
    {
        if (_started) return;
        _next = sequence + 1;
        _started = true;
    }

    /// <summary>
    /// Holds the data a SYN carried (TCP Fast Open, RFC 7413) apart: the receiver takes it only if its SYN-ACK
    /// acknowledges it (<see cref="Acknowledged"/>); otherwise the sender sends it again after the handshake, and that
    /// copy is the one the receiver reads.
    /// </summary>
    public void SynData(uint synSequence, ReadOnlySpan<byte> payload)
    {
        Syn(synSequence);
        if (payload.IsEmpty || _synData is not null || _next != synSequence + 1) return;
        _synData = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(_synData);
        _synLength = payload.Length;
        _synSequence = synSequence;
    }

    /// <summary>
    /// Notes urgent data ending before <paramref name="end"/> (a segment's sequence number plus its urgent pointer, the
    /// BSD reading Windows and Linux use): its last byte is taken out of band by a receiver's socket that did not ask for
    /// it inline (the default), so it is left out of the stream here too. The latest urgent pointer counts, as in TCP.
    /// </summary>
    public void Urgent(uint end)
    {
        // A byte already placed stays: the mark came too late to take it out.
        if (_started && (int)(end - 1 - _next) < 0) return;
        _urgent = true;
        _urgentSequence = end - 1;
    }

    /// <summary>The other side's SYN-ACK acknowledged up to <paramref name="acknowledgment"/>: data held from the SYN is taken or dropped.</summary>
    public bool Acknowledged(uint acknowledgment)
    {
        if (_synData is null) return false;
        bool taken = (int)(acknowledgment - (_synSequence + 1)) >= _synLength;
        return SettleSynData(taken);
    }

    /// <summary>Adds a segment; true when new in-order bytes were added.</summary>
    public bool Add(uint sequence, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return false;
        bool added = false;
        // No SYN-ACK was seen to say: data sent again from the SYN's next byte means the receiver did not take the SYN's.
        if (_synData is not null) added = SettleSynData(sequence != _synSequence + 1);
        if (!_started)
        {
            _next = sequence;
            _started = true;
        }
        int offset = (int)(sequence - _next);
        if (offset > 0)
        {
            Hold(sequence, payload);
            return added;
        }
        added |= Append(sequence, payload);
        while (_pending is { Count: > 0 } && TakePending(out var segment))
        {
            added |= Append(segment.Seq, segment.Bytes.AsSpan(0, segment.Length));
            ArrayPool<byte>.Shared.Return(segment.Bytes);
        }
        return added;
    }

    /// <summary>Drops the first <paramref name="count"/> unread bytes (a follower consumed them); they stay as history.</summary>
    public void Consume(int count)
    {
        count = Math.Clamp(count, 0, _length - _start);
        _start += count;
    }

    /// <summary>
    /// Drops the next <paramref name="count"/> bytes unread: those held now, and those still to come as they arrive, which
    /// are never copied (the data of a file read or written, a request's stub).
    /// </summary>
    public void Skip(long count)
    {
        if (count <= 0) return;
        int held = (int)Math.Min(count, _length - _start);
        Consume(held);
        if (count == held) return;
        long more = count - held;
        _skip = more > long.MaxValue - _skip ? long.MaxValue : _skip + more;
        // Bytes skipped are not kept: history no longer joins the bytes to come.
        _start = _length = _exactFrom = 0;
    }

    /// <summary>Returns the buffers to the pool; the stream is empty afterwards.</summary>
    public void Release()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = Array.Empty<byte>();
        _start = _length = _exactFrom = 0;
        _skip = 0;
        _urgent = false;
        if (_pending is not null)
            foreach (var segment in _pending) ArrayPool<byte>.Shared.Return(segment.Bytes);
        _pending = null;
        _pendingBytes = 0;
        if (_synData is not null) ArrayPool<byte>.Shared.Return(_synData);
        _synData = null;
    }

    private bool SettleSynData(bool taken)
    {
        var data = _synData!;
        _synData = null;
        bool added = taken && Add(_synSequence + 1, data.AsSpan(0, _synLength));
        ArrayPool<byte>.Shared.Return(data);
        return added;
    }

    private bool Append(uint sequence, ReadOnlySpan<byte> payload)
    {
        // offset <= 0: the first -offset bytes were seen already (a retransmission or an overlap). Negated as a long:
        // a segment 2^31 bytes behind has offset int.MinValue, which an int negates to itself.
        long seen = -(long)(int)(sequence - _next);
        // A keep-alive probe is one byte at the sequence number before the next (RFC 9293 3.8.4, BSD and Windows send a
        // garbage byte): not a retransmission, and its byte is no evidence that two readers saw different streams.
        if (seen == 1 && payload.Length == 1) return false;
        if (seen > 0) Compare(sequence, payload[..(int)Math.Min(seen, payload.Length)]);
        if (seen >= payload.Length) return false;
        var fresh = payload[(int)seen..];
        uint first = _next;
        _next += (uint)fresh.Length;
        if (_urgent && (uint)(_urgentSequence - first) < (uint)fresh.Length)
        {
            // The urgent byte goes out of band: the bytes before it and after it are placed apart.
            _urgent = false;
            int at = (int)(_urgentSequence - first);
            bool added = Place(fresh[..at]);
            _exactFrom = _length;
            return Place(fresh[(at + 1)..]) | added;
        }
        return Place(fresh);
    }

    private bool Place(ReadOnlySpan<byte> fresh)
    {
        if (_skip > 0)
        {
            int skipped = (int)Math.Min(_skip, fresh.Length);
            _skip -= skipped;
            fresh = fresh[skipped..];
            if (fresh.IsEmpty) return false;
        }
        int unread = _length - _start;
        // A segment that begins below the capacity is kept whole: the reader that follows the match reads past the
        // capacity the inspectors looked at, and bytes dropped here would be a hole in what it reads.
        int room = unread < Capacity ? Math.Max(Capacity - unread, MaxSegment) : 0;
        if (fresh.Length > room)
        {
            Broken ??= "bytes dropped for lack of room";
            fresh = fresh[..room];
        }
        if (unread + fresh.Length >= Capacity) Full = true;
        if (fresh.IsEmpty) return false;
        Reserve(fresh.Length);
        fresh.CopyTo(_buffer.AsSpan(_length));
        _length += fresh.Length;
        return true;
    }

    // Bytes at sequence..sequence+overlap.Length were seen before: where they are still held (unread or history), they
    // must be the same.
    private void Compare(uint sequence, ReadOnlySpan<byte> overlap)
    {
        if (Inconsistent || _length == 0) return;
        // Where the segment begins relative to _buffer[0], which holds the byte at _next - _length (from _exactFrom on).
        long at = (long)(int)(sequence - (_next - (uint)_length));
        long from = Math.Max(_exactFrom - at, Math.Max(0, -at)), to = Math.Min(overlap.Length, _length - at);
        if (to <= from) return;
        if (!overlap[(int)from..(int)to].SequenceEqual(_buffer.AsSpan((int)(at + from), (int)(to - from)))) Inconsistent = true;
    }

    private void Reserve(int more)
    {
        // Read bytes beyond the history go first.
        if (_start > History && _length + more > _buffer.Length)
        {
            int drop = _start - History;
            _buffer.AsSpan(drop, _length - drop).CopyTo(_buffer);
            _length -= drop;
            _start -= drop;
            _exactFrom = Math.Max(0, _exactFrom - drop);
        }
        int size = _length + more;
        if (size <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(size, Math.Max(512, _buffer.Length * 2)));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private void Hold(uint sequence, ReadOnlySpan<byte> payload)
    {
        _pending ??= new List<(uint, byte[], int)>(4);
        // An early segment sent again is held once (its copies compared): retransmissions do not fill what is held.
        foreach (var (seq, bytes, length) in _pending)
        {
            if (seq != sequence || length < payload.Length) continue;
            if (!payload.SequenceEqual(bytes.AsSpan(0, payload.Length))) Inconsistent = true;
            return;
        }
        if (_pending.Count >= MaxPending || _pendingBytes + payload.Length > Math.Max(Capacity, MaxSegment))
        {
            // The receiver has these bytes; they will not come again, so the gap before them never fills here.
            Broken ??= "a gap in the TCP stream: capture loss, or reordering past what is held";
            return;
        }
        var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(copy);
        _pending.Add((sequence, copy, payload.Length));
        _pendingBytes += payload.Length;
    }

    private bool TakePending(out (uint Seq, byte[] Bytes, int Length) segment)
    {
        for (int i = 0; i < _pending!.Count; i++)
        {
            if ((int)(_pending[i].Seq - _next) > 0) continue;
            segment = _pending[i];
            _pending.RemoveAt(i);
            _pendingBytes -= segment.Length;
            return true;
        }
        segment = default;
        return false;
    }
}
