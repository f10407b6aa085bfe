using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace PortAudit.Sources.Files;

/// <summary>
/// Decompresses a gzip capture (one member or several in a row) and checks each trailer itself, after handing
/// out every byte the member holds: GZipStream checks the trailer inside the read that delivers the last data,
/// so a damaged CRC or length threw that data away with the error. Errors name offsets in the compressed file.
/// </summary>
internal sealed class GzipDecompressor(string name, Stream compressed) : ReadOnlyStream
{
    private const int HeaderLength = 10;
    private const int TrailerLength = 8;
    private const byte Deflate = 8;
    private const int ShortestDeflate = 2; // one empty final block with fixed codes: 03 00
    private const byte HeaderCrcFlag = 0x02, ExtraFlag = 0x04, NameFlag = 0x08, CommentFlag = 0x10, ReservedFlags = 0xE0;

    private readonly CompressedFeed _feed = new(compressed);
    private DeflateStream? _member;
    private readonly Crc32 _crc = new();
    private uint _length;
    private long _dataStart;
    private bool _ended;
    private CaptureFormatException? _pending;

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (_pending is { } pending)
        {
            _pending = null;
            throw pending;
        }
        int total = 0;
        try
        {
            while (total < buffer.Length && !_ended)
            {
                if (_member is null && !StartMember())
                    break;
                int n = Inflate(buffer[total..]);
                if (n == 0)
                    EndMember();
                total += n;
            }
        }
        catch (CaptureFormatException ex) when (total > 0)
        {
            // The data already decompressed is good: deliver it, and the error on the next read.
            _pending = ex;
        }
        return total;
    }

    private int Inflate(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _member!.Read(buffer);
        }
        catch (InvalidDataException ex)
        {
            throw Damage(_feed.ChunkStart, $"corrupt compressed data: {ex.Message}");
        }
        catch (IOException ex)
        {
            throw Damage(_feed.Offset, $"read error: {ex.Message}");
        }
        _crc.Append(buffer[..n]);
        _length += (uint)n;
        return n;
    }

    /// <summary>Reads a member header; false at the clean end of the input after a member.</summary>
    private bool StartMember()
    {
        long start = _feed.Offset;
        if (!_feed.Ensure(1))
        {
            _ended = true;
            return false;
        }
        if (!_feed.Ensure(2) || _feed.Pending[0] != 0x1F || _feed.Pending[1] != 0x8B)
            throw Damage(start, $"{_feed.SkipToEnd()} bytes after the end of the gzip stream");
        if (!_feed.Ensure(HeaderLength))
            throw Damage(start + _feed.SkipToEnd(), "gzip stream ends inside its header");
        byte method = _feed.Pending[2], flags = _feed.Pending[3];
        if (method != Deflate)
            throw Damage(start + 2, $"gzip compression method {method} is not deflate ({Deflate})");
        if ((flags & ReservedFlags) != 0)
            throw Damage(start + 3, $"gzip header flags 0x{flags:x2} set reserved bits");
        _feed.Skip(HeaderLength);
        if ((flags & ExtraFlag) != 0)
            SkipHeaderField(_feed.Ensure(2) ? 2 + BinaryPrimitives.ReadUInt16LittleEndian(_feed.Pending) : 2);
        if ((flags & NameFlag) != 0)
            SkipZeroTerminated();
        if ((flags & CommentFlag) != 0)
            SkipZeroTerminated();
        if ((flags & HeaderCrcFlag) != 0)
            SkipHeaderField(2);
        _dataStart = _feed.Offset;
        _member = new DeflateStream(_feed, CompressionMode.Decompress, leaveOpen: true);
        _feed.RanDry = false;
        _crc.Reset();
        _length = 0;
        return true;
    }

    private void SkipHeaderField(int length)
    {
        if (_feed.Skip(length) < length)
            throw Damage(_feed.Offset, "gzip stream ends inside its header");
    }

    private void SkipZeroTerminated()
    {
        while (_feed.Ensure(1))
        {
            int zero = _feed.Pending.IndexOf((byte)0);
            _feed.Skip(zero < 0 ? _feed.Pending.Length : zero + 1);
            if (zero >= 0)
                return;
        }
        throw Damage(_feed.Offset, "gzip stream ends inside its header");
    }

    /// <summary>The deflate data has ended: finds the trailer in the last chunk, checks it and moves past it.</summary>
    private void EndMember()
    {
        _member!.Dispose();
        _member = null;
        if (_feed.RanDry)
            throw Damage(_feed.Offset, "gzip stream ends inside the compressed data");
        _feed.Ensure(TrailerLength + 2); // and the next member's magic, when there is one
        long chunkStart = _feed.ChunkStart;
        var bytes = _feed.FromChunkStart;
        int consumed = (int)(_feed.Offset - chunkStart);
        uint crc = _crc.GetCurrentHashAsUInt32();
        Span<byte> expected = stackalloc byte[TrailerLength];
        BinaryPrimitives.WriteUInt32LittleEndian(expected, crc);
        BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], _length);

        // The deflate data ends somewhere in the last chunk; the trailer follows at once. A match of four bytes
        // by chance in a chunk of compressed data has odds of about ChunkSize / 2^32. The deflate data takes at least
        // two bytes, and a trailer followed by the end of the input or the next member's magic is preferred to one
        // that is not: an empty member (03 00, then eight zero bytes) also matches one byte early, inside its data.
        int first = (int)Math.Max(0, _dataStart + ShortestDeflate - chunkStart);
        if ((FindBeforeMember(bytes, first, consumed, expected) ?? Find(bytes, first, consumed, expected)) is int whole)
        {
            _feed.MoveTo(chunkStart + whole + TrailerLength);
            return;
        }
        if (Find(bytes, first, consumed, expected[..4]) is int crcAt)
        {
            int present = bytes.Length - crcAt;
            if (present < TrailerLength)
                throw Damage(chunkStart + crcAt, $"truncated gzip trailer: {present} of {TrailerLength} bytes present");
            uint recorded = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(crcAt + 4)..]);
            throw Damage(chunkStart + crcAt + 4, $"damaged gzip trailer: length {recorded} recorded, {_length} decompressed");
        }
        if (FindLength(bytes, first, consumed, expected[4..]) is int lengthAt)
        {
            uint recorded = BinaryPrimitives.ReadUInt32LittleEndian(bytes[lengthAt..]);
            throw Damage(chunkStart + lengthAt, $"damaged gzip trailer: CRC-32 {recorded:x8} recorded, {crc:x8} computed");
        }
        throw Damage(chunkStart, $"damaged or missing gzip trailer: neither CRC-32 {crc:x8} nor length {_length} " +
                                 $"follows the compressed data, which ends within bytes {chunkStart}-{chunkStart + consumed}");
    }

    /// <summary>First place from <paramref name="first"/> up to <paramref name="last"/> where <paramref name="value"/> starts.</summary>
    private static int? Find(ReadOnlySpan<byte> bytes, int first, int last, ReadOnlySpan<byte> value)
    {
        for (int at = first; at <= last && at + value.Length <= bytes.Length; at++)
            if (bytes.Slice(at, value.Length).SequenceEqual(value))
                return at;
        return null;
    }

    /// <summary>
    /// Like <see cref="Find"/>, for a whole trailer after which the input ends or the next member starts (when that
    /// much is buffered: <see cref="EndMember"/> buffers two bytes past any trailer place when the input has them).
    /// </summary>
    private static int? FindBeforeMember(ReadOnlySpan<byte> bytes, int first, int last, ReadOnlySpan<byte> trailer)
    {
        for (int at = first; Find(bytes, at, last, trailer) is int found; at = found + 1)
        {
            var after = bytes[(found + trailer.Length)..];
            if (after.Length >= 2 ? after[0] == 0x1F && after[1] == 0x8B : after.Length == 0)
                return found;
        }
        return null;
    }

    /// <summary>First trailer place whose length field (four bytes on) holds <paramref name="length"/>.</summary>
    private static int? FindLength(ReadOnlySpan<byte> bytes, int first, int last, ReadOnlySpan<byte> length) =>
        bytes.Length < 4 ? null : Find(bytes[4..], first, last, length);

    private CaptureFormatException Damage(long offset, string problem)
    {
        _ended = true;
        return new CaptureFormatException(name, offset, problem);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _member?.Dispose();
            _feed.Dispose();
        }
        base.Dispose(disposing);
    }
}
