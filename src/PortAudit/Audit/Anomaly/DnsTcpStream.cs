namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Reads the queries a client sends in a DNS-over-TCP connection, where each message comes after a two-byte length
/// (RFC 1035 4.2.2): several may share a segment, and one may be split across segments. Segments are taken in sequence
/// order; a retransmitted one is read once, and after a gap (a segment the capture missed) the framing is lost, so the
/// stream stops counting rather than read a name out of the middle of a message.
/// </summary>
/// <remarks>
/// Each message is measured by <see cref="DnsQuestion"/> once its header and question name are in: straight from the
/// segment when they lie within it, else from a copy of the message's first <see cref="HeadLimit"/> bytes, the one
/// buffer a stream allocates, when a split first needs it. The rest of a message, up to the 65,535 bytes its length
/// may claim, is skipped without being kept.
/// </remarks>
public sealed class DnsTcpStream
{
    /// <summary>
    /// Bytes of a message's start that hold any query's header and first question name: a 12-byte header and a name of
    /// at most 255 bytes on the wire (RFC 1035 3.1).
    /// </summary>
    public const int HeadLimit = 12 + 255;

    private uint _next;
    private bool _started;
    private bool _lost;
    // The length prefix being read: how many of its two bytes are in, and their value so far.
    private int _prefixBytes;
    private int _length;
    // Bytes of the current message still to come, and how many of its first ones sit in _head.
    private int _remaining;
    private int _headBytes;
    private bool _measured;
    private byte[]? _head;

    /// <summary>True once a gap in the sequence lost the framing: no further query is counted.</summary>
    public bool Lost => _lost;

    /// <summary>
    /// Reads the client's segment that starts at TCP sequence number <paramref name="sequence"/> and carries
    /// <paramref name="payload"/>, counting each query it completes into <paramref name="rhythm"/>.
    /// <paramref name="complete"/> is false when the capture cut the segment short: its bytes past the cut are unknown,
    /// so the framing is lost.
    /// </summary>
    public void Read(uint sequence, ReadOnlySpan<byte> payload, bool complete, Rhythm rhythm)
    {
        if (_lost || payload.IsEmpty) return;
        if (!_started)
        {
            _started = true;
            _next = sequence;
        }
        // Sequence numbers wrap: the signed distance says whether the segment starts before, at or after the next byte.
        int ahead = unchecked((int)(sequence - _next));
        if (ahead > 0)
        {
            _lost = true;
            return;
        }
        // A retransmission: skip what was read already (all of it when it brings nothing new).
        if (-ahead >= payload.Length) return;
        payload = payload[-ahead..];
        _next = unchecked(_next + (uint)payload.Length);
        if (!complete) _lost = true;

        while (!payload.IsEmpty)
        {
            if (_remaining == 0)
            {
                // Between messages: the length prefix, possibly split itself.
                _length = _length << 8 | payload[0];
                payload = payload[1..];
                if (++_prefixBytes < 2) continue;
                _remaining = _length;
                _prefixBytes = 0;
                _length = 0;
                _headBytes = 0;
                _measured = false;
                continue;
            }
            int take = Math.Min(_remaining, payload.Length);
            if (!_measured) Measure(payload[..take], rhythm);
            _remaining -= take;
            payload = payload[take..];
        }
    }

    // Measures the current message once its start is in: from the segment itself when the whole of what is needed
    // came at once, else gathered in _head across segments.
    private void Measure(ReadOnlySpan<byte> part, Rhythm rhythm)
    {
        int needed = Math.Min(_remaining + _headBytes, HeadLimit);
        if (_headBytes == 0 && part.Length >= needed)
        {
            Count(part[..needed], rhythm);
            return;
        }
        _head ??= new byte[HeadLimit];
        int copy = Math.Min(needed - _headBytes, part.Length);
        part[..copy].CopyTo(_head.AsSpan(_headBytes));
        _headBytes += copy;
        if (_headBytes == needed) Count(_head.AsSpan(0, needed), rhythm);
    }

    private void Count(ReadOnlySpan<byte> start, Rhythm rhythm)
    {
        _measured = true;
        if (DnsQuestion.TryMeasure(start, out int length, out double entropy)) rhythm.AddQuery(length, entropy);
    }
}
