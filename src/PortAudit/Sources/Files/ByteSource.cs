namespace PortAudit.Sources.Files;

/// <summary>
/// Large-block reader over a stream that hands out spans into one reusable buffer, so that
/// reading a record costs no allocation. A span it returns is valid until the next <see cref="TryPeek"/>.
/// </summary>
internal sealed class ByteSource : IDisposable
{
    private const int DefaultBufferSize = 1 << 20;
    private readonly string _name;
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferBaseOffset;
    private bool _endOfStream;

    public ByteSource(string name, Stream stream, int bufferSize = DefaultBufferSize)
    {
        _name = name;
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>True when the bytes come from a file on disk as it is (seekable), not from a pipe or a decompressor.</summary>
    public bool ReadsFile => _stream is FileStream { CanSeek: true };

    /// <summary>Stream offset of the next unconsumed byte.</summary>
    public long Offset => _bufferBaseOffset + _start;

    /// <summary>Bytes buffered and not yet consumed.</summary>
    public int Buffered => _end - _start;

    /// <summary>True when nothing is buffered and the stream is exhausted.</summary>
    public bool AtEnd => _start == _end && !Fill(1);

    /// <summary>
    /// Makes <paramref name="count"/> bytes available without consuming them. Returns false when the stream ends
    /// first; <see cref="Buffered"/> then tells how many there were.
    /// </summary>
    public bool TryPeek(int count, out ReadOnlySpan<byte> bytes)
    {
        if (_end - _start < count && !Fill(count))
        {
            bytes = default;
            return false;
        }
        bytes = new ReadOnlySpan<byte>(_buffer, _start, count);
        return true;
    }

    /// <summary>Consumes bytes already made available by <see cref="TryPeek"/>.</summary>
    public void Advance(int count) => _start += count;

    /// <summary>Consumes up to <paramref name="count"/> bytes, reading past the buffer if needed; returns how many.</summary>
    public long Skip(long count)
    {
        long skipped = 0;
        while (skipped < count)
        {
            if (_start == _end && !Fill(1)) break;
            int step = (int)Math.Min(count - skipped, _end - _start);
            _start += step;
            skipped += step;
        }
        return skipped;
    }

    private bool Fill(int count)
    {
        if (_endOfStream) return _end - _start >= count;
        if (_buffer.Length - _start < count)
        {
            int pending = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _bufferBaseOffset += _start;
            _start = 0;
            _end = pending;
        }
        while (_end - _start < count)
        {
            // Only a record larger than the buffer gets here; the caller has already bounded its size. The buffer
            // doubles as the bytes arrive, so that a header claiming 64 MiB in a file of 62 bytes costs no more than
            // the buffer the file fits in.
            if (_end == _buffer.Length) Grow((int)Math.Min(_buffer.Length * 2L, count));
            int n = ReadStream();
            if (n == 0)
            {
                _endOfStream = true;
                return false;
            }
            _end += n;
        }
        return true;
    }

    private void Grow(int size)
    {
        var larger = new byte[size];
        Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
        _buffer = larger;
    }

    private int ReadStream()
    {
        try
        {
            return _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (InvalidDataException ex)
        {
            // Only a decompressor throws this: the compressed stream itself is damaged.
            throw new CaptureFormatException(_name, _bufferBaseOffset + _end, $"corrupt compressed data: {ex.Message}");
        }
        catch (IOException ex)
        {
            throw new CaptureFormatException(_name, _bufferBaseOffset + _end, $"read error: {ex.Message}");
        }
    }

    /// <summary>
    /// Hands the unconsumed bytes and the rest of the stream over as a plain stream, for a decompressor
    /// to wrap once the magic bytes have told what the input is. This source must not be used afterwards.
    /// </summary>
    public Stream DetachAsStream() => new PrefixedStream(_buffer.AsMemory(_start, _end - _start), _stream);

    public void Dispose() => _stream.Dispose();
}
