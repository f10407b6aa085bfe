namespace PortAudit.Sources.Files;

/// <summary>
/// The compressed side of a gzip capture, handed to the inflater in chunks of at most <see cref="ChunkSize"/>
/// bytes. The inflater asks for input only once it has used up the last chunk, so when the deflate data ends,
/// its end lies in the last chunk handed out: the trailer is then searched for there, and every offset is one of
/// the compressed file. Header and trailer bytes are read directly, without going through the inflater.
/// </summary>
internal sealed class CompressedFeed(Stream inner) : ReadOnlyStream
{
    /// <summary>Largest chunk handed to the inflater: small enough to find the trailer in, large enough to cost nothing.</summary>
    public const int ChunkSize = 1024;

    private byte[] _buffer = new byte[64 << 10];
    private long _bufferOffset;
    private int _chunkStart;
    private int _next;
    private int _end;
    private bool _innerEnded;

    /// <summary>File offset of the next byte not yet handed out.</summary>
    public long Offset => _bufferOffset + _next;

    /// <summary>File offset of the start of the last chunk handed to the inflater (or of the next byte after a direct read).</summary>
    public long ChunkStart => _bufferOffset + _chunkStart;

    /// <summary>True once a read by the inflater found nothing left: the compressed data was cut short.</summary>
    public bool RanDry { get; set; }

    /// <summary>The bytes from <see cref="ChunkStart"/> on that are buffered.</summary>
    public ReadOnlySpan<byte> FromChunkStart => _buffer.AsSpan(_chunkStart, _end - _chunkStart);

    /// <summary>The buffered bytes not yet handed out.</summary>
    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_next, _end - _next);

    /// <inheritdoc />
    public override int Read(Span<byte> destination)
    {
        if (!Ensure(1))
        {
            RanDry = true;
            return 0;
        }
        int n = Math.Min(Math.Min(destination.Length, ChunkSize), _end - _next);
        _chunkStart = _next;
        _buffer.AsSpan(_next, n).CopyTo(destination);
        _next += n;
        return n;
    }

    /// <summary>Buffers at least <paramref name="count"/> unread bytes; false when the input ends first.</summary>
    public bool Ensure(int count)
    {
        while (_end - _next < count)
        {
            if (_innerEnded)
                return false;
            if (_end == _buffer.Length)
                MakeRoom();
            int n = inner.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                _innerEnded = true;
                return false;
            }
            _end += n;
        }
        return true;
    }

    /// <summary>Consumes bytes directly (a header field), past the buffer if needed; returns how many there were.</summary>
    public long Skip(long count)
    {
        long skipped = 0;
        while (skipped < count && Ensure(1))
        {
            int step = (int)Math.Min(count - skipped, _end - _next);
            _next += step;
            skipped += step;
        }
        _chunkStart = _next;
        return skipped;
    }

    /// <summary>Moves the read position back or forth within the last chunk and what is buffered after it.</summary>
    public void MoveTo(long offset)
    {
        _next = (int)(offset - _bufferOffset);
        _chunkStart = _next;
    }

    /// <summary>Consumes everything left and says how much it was.</summary>
    public long SkipToEnd() => Skip(long.MaxValue);

    private void MakeRoom()
    {
        // Keep the last chunk: the trailer is searched for in it.
        int keep = _end - _chunkStart;
        if (keep > _buffer.Length / 2)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        Buffer.BlockCopy(_buffer, _chunkStart, _buffer, 0, keep);
        _bufferOffset += _chunkStart;
        _next -= _chunkStart;
        _end = keep;
        _chunkStart = 0;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
