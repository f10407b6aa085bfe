using System.Buffers.Binary;
using PortAudit.Decode;

namespace PortAudit.Sources.Files;

/// <summary>
/// Reads the classic libpcap format: either byte order, microsecond or nanosecond timestamps.
/// </summary>
public sealed class PcapReader : ICaptureReader
{
    /// <summary>Microsecond magic as written by the capturing host.</summary>
    public const uint MagicMicroseconds = 0xA1B2C3D4;

    /// <summary>Nanosecond magic as written by the capturing host.</summary>
    public const uint MagicNanoseconds = 0xA1B23C4D;

    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    // Wireshark refuses records above its maximum snapshot length; a larger claim is damage, not data.
    private const int MaxRecordLength = 262144;

    // A header's snapshot length raises that bound (a D-Bus capture's records run to megabytes), but never past the
    // largest block pcapng accepts: a damaged snapshot length must not let a record header ask for gigabytes.
    private const int MaxSnapLength = 64 << 20;

    private readonly ByteSource _source;
    private readonly bool _swapped;
    private readonly long _unitNs;
    private readonly int _maxRecord;

    internal PcapReader(string name, ByteSource source)
    {
        Name = name;
        _source = source;
        if (!source.TryPeek(FileHeaderLength, out var header))
            throw new CaptureFormatException(name, 0, $"truncated pcap file header: {source.Buffered} of {FileHeaderLength} bytes");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        (_swapped, _unitNs) = magic switch
        {
            MagicMicroseconds => (false, 1000L),
            MagicNanoseconds => (false, 1L),
            _ when BinaryPrimitives.ReverseEndianness(magic) == MagicMicroseconds => (true, 1000L),
            _ when BinaryPrimitives.ReverseEndianness(magic) == MagicNanoseconds => (true, 1L),
            _ => throw new CaptureFormatException(name, 0, $"not a pcap file: magic 0x{magic:x8}"),
        };
        SnapLength = (int)Math.Min(ReadUInt32(header[16..]), int.MaxValue);
        // The upper bits carry FCS information, not the link type.
        LinkType = (int)(ReadUInt32(header[20..]) & 0x03FF_FFFF);
        _maxRecord = Math.Clamp(SnapLength, MaxRecordLength, MaxSnapLength);
        source.Advance(FileHeaderLength);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public long BytesRead => _source.Offset;

    /// <summary>True when the capture is a file on disk read as it is, which another reader can open again.</summary>
    internal bool ReadsFile => _source.ReadsFile;

    /// <summary>The file's link type.</summary>
    public int LinkType { get; }

    /// <summary>The file's snapshot length.</summary>
    public int SnapLength { get; }

    /// <inheritdoc />
    public bool TryRead(out PacketRecord packet)
    {
        long offset = _source.Offset;
        if (!_source.TryPeek(RecordHeaderLength, out var header))
        {
            if (_source.Buffered == 0)
            {
                packet = default;
                return false;
            }
            throw new CaptureFormatException(Name, offset,
                $"truncated record header: {_source.Buffered} of {RecordHeaderLength} bytes");
        }
        uint seconds = ReadUInt32(header);
        uint fraction = ReadUInt32(header[4..]);
        uint captured = ReadUInt32(header[8..]);
        uint original = ReadUInt32(header[12..]);
        if (captured > _maxRecord)
            throw new CaptureFormatException(Name, offset,
                $"record length {captured} exceeds the maximum of {_maxRecord} (snaplen {SnapLength}): corrupt record header");
        int length = (int)captured;
        if (!_source.TryPeek(RecordHeaderLength + length, out var record))
            throw new CaptureFormatException(Name, offset,
                $"truncated record: {length} bytes declared, {Math.Max(0, _source.Buffered - RecordHeaderLength)} present");
        _source.Advance(RecordHeaderLength + length);
        long timestamp = seconds * 1_000_000_000L + fraction * _unitNs;
        packet = new PacketRecord(record.Slice(RecordHeaderLength, length), timestamp,
            (int)Math.Min(original, int.MaxValue), LinkType, offset);
        return true;
    }

    private uint ReadUInt32(ReadOnlySpan<byte> bytes) => _swapped
        ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
        : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();
}
