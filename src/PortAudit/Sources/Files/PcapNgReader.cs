using System.Buffers.Binary;
using PortAudit.Decode;

namespace PortAudit.Sources.Files;

/// <summary>
/// Reads pcapng: any number of sections of either byte order, several interfaces each with its own
/// link type and timestamp resolution, enhanced, simple and obsolete packet blocks. Other blocks are skipped; those
/// tshark shows as frames of their own (custom blocks, systemd journal entries, sysdig events) are counted in the next
/// packet's <see cref="PacketRecord.FramesPassed"/>, so that frame numbers stay tshark's.
/// </summary>
public sealed class PcapNgReader : ICaptureReader
{
    /// <summary>Block type of the section header, a palindrome so it reads the same in both byte orders.</summary>
    public const uint SectionHeaderType = 0x0A0D0D0A;

    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint InterfaceDescriptionType = 1;
    private const uint ObsoletePacketType = 2;
    private const uint SimplePacketType = 3;
    private const uint EnhancedPacketType = 6;
    private const uint SystemdJournalExportType = 9;
    private const uint SysdigEventType = 0x204;
    private const uint SysdigEventV2Type = 0x216;
    private const uint SysdigEventV2LargeType = 0x221;
    private const uint CustomCopiedType = 0x00000BAD;
    private const uint CustomNotCopiedType = 0x40000BAD;
    private const int MinBlockLength = 12;

    // Blocks above this are damage: no real packet or metadata block is this large.
    private const int MaxBlockLength = 64 << 20;

    private readonly ByteSource _source;
    private readonly List<InterfaceDescription> _interfaces = new();
    private bool _swapped;

    internal PcapNgReader(string name, ByteSource source)
    {
        Name = name;
        _source = source;
        if (!source.TryPeek(4, out var first) || BinaryPrimitives.ReadUInt32LittleEndian(first) != SectionHeaderType)
            throw new CaptureFormatException(name, 0, "not a pcapng file: no section header block at the start");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public long BytesRead => _source.Offset;

    /// <summary>True when the capture is a file on disk read as it is, which another reader can open again.</summary>
    internal bool ReadsFile => _source.ReadsFile;

    /// <summary>Interfaces of the current section.</summary>
    public IReadOnlyList<InterfaceDescription> Interfaces => _interfaces;

    /// <inheritdoc />
    public bool TryRead(out PacketRecord packet)
    {
        long framesPassed = 0;
        while (true)
        {
            long offset = _source.Offset;
            if (!_source.TryPeek(8, out var head))
            {
                if (_source.Buffered == 0)
                {
                    packet = default;
                    return false;
                }
                throw new CaptureFormatException(Name, offset, $"truncated block header: {_source.Buffered} of 8 bytes");
            }
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (type == SectionHeaderType)
            {
                ReadSectionByteOrder(offset);
                _source.TryPeek(8, out head); // the look-ahead above may have moved the buffer
            }
            else
                type = ReadUInt32(head);
            uint declared = ReadUInt32(head[4..]);
            if (declared < MinBlockLength || declared % 4 != 0 || declared > MaxBlockLength)
                throw new CaptureFormatException(Name, offset + 4,
                    $"block type 0x{type:x8} has invalid length {declared}");
            int length = (int)declared;
            if (!_source.TryPeek(length, out var block))
                throw new CaptureFormatException(Name, offset,
                    $"truncated block: type 0x{type:x8} declares {length} bytes, {_source.Buffered} present");
            if (ReadUInt32(block[(length - 4)..]) != declared)
                throw new CaptureFormatException(Name, offset + length - 4,
                    $"block type 0x{type:x8}: trailing length {ReadUInt32(block[(length - 4)..])} differs from leading length {declared}");
            var body = block[8..(length - 4)];
            _source.Advance(length);
            switch (type)
            {
                case SectionHeaderType:
                    _interfaces.Clear();
                    break;
                case InterfaceDescriptionType:
                    _interfaces.Add(ReadInterface(body, offset));
                    break;
                case EnhancedPacketType:
                    packet = ReadEnhanced(body, offset, framesPassed);
                    return true;
                case SimplePacketType:
                    packet = ReadSimple(body, offset, framesPassed);
                    return true;
                case ObsoletePacketType:
                    packet = ReadObsolete(body, offset, framesPassed);
                    return true;
                // Records tshark numbers as frames though they hold no packet (tshark 4.0 prints "Custom Block",
                // "systemd Journal", "Sysdig Event"): the packets after them keep the numbers Wireshark shows.
                // Name resolution, interface statistics and decryption secrets blocks are not frames there.
                case CustomCopiedType or CustomNotCopiedType or SystemdJournalExportType
                    or SysdigEventType or SysdigEventV2Type or SysdigEventV2LargeType:
                    framesPassed++;
                    break;
            }
        }
    }

    private void ReadSectionByteOrder(long offset)
    {
        if (!_source.TryPeek(12, out var head))
            throw new CaptureFormatException(Name, offset, "truncated section header block");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
        if (magic == ByteOrderMagic) _swapped = false;
        else if (BinaryPrimitives.ReverseEndianness(magic) == ByteOrderMagic) _swapped = true;
        else throw new CaptureFormatException(Name, offset + 8, $"section header has byte-order magic 0x{magic:x8}");
    }

    private InterfaceDescription ReadInterface(ReadOnlySpan<byte> body, long offset)
    {
        if (body.Length < 8)
            throw new CaptureFormatException(Name, offset, "interface description block shorter than 8 bytes");
        int linkType = ReadUInt16(body);
        uint snapLength = ReadUInt32(body[4..]);
        var resolution = TimestampResolution.Microseconds;
        long offsetSeconds = 0;
        var options = body[8..];
        while (options.Length >= 4)
        {
            int code = ReadUInt16(options);
            int optionLength = ReadUInt16(options[2..]);
            if (code == 0 || 4 + optionLength > options.Length) break;
            var value = options.Slice(4, optionLength);
            if (code == 9 && optionLength >= 1) resolution = new TimestampResolution(value[0]);
            else if (code == 14 && optionLength >= 8) offsetSeconds = (long)ReadUInt64(value);
            options = options[Math.Min(options.Length, 4 + ((optionLength + 3) & ~3))..];
        }
        return new InterfaceDescription(linkType, snapLength, resolution, offsetSeconds);
    }

    private PacketRecord ReadEnhanced(ReadOnlySpan<byte> body, long offset, long framesPassed) =>
        body.Length < 20
            ? throw new CaptureFormatException(Name, offset, "enhanced packet block shorter than its fixed fields")
            : ReadTimestamped(body, offset, ReadUInt32(body), "enhanced packet block", framesPassed);

    private PacketRecord ReadSimple(ReadOnlySpan<byte> body, long offset, long framesPassed)
    {
        if (body.Length < 4)
            throw new CaptureFormatException(Name, offset, "simple packet block shorter than its fixed fields");
        var iface = Interface(0, offset);
        uint original = ReadUInt32(body);
        long captured = Math.Min(original, body.Length - 4);
        if (iface.SnapLength > 0) captured = Math.Min(captured, iface.SnapLength);
        // Simple packet blocks carry no timestamp.
        return new PacketRecord(body.Slice(4, (int)captured), 0, ClampLength(original), iface.LinkType, offset, framesPassed);
    }

    // The obsolete packet block differs from the enhanced one only in its 16-bit interface id and drop counter.
    private PacketRecord ReadObsolete(ReadOnlySpan<byte> body, long offset, long framesPassed) =>
        body.Length < 20
            ? throw new CaptureFormatException(Name, offset, "packet block shorter than its fixed fields")
            : ReadTimestamped(body, offset, ReadUInt16(body), "packet block", framesPassed);

    /// <summary>Reads the layout both timestamped blocks share after the interface id: time, lengths, data.</summary>
    private PacketRecord ReadTimestamped(ReadOnlySpan<byte> body, long offset, uint interfaceId, string kind, long framesPassed)
    {
        var iface = Interface(interfaceId, offset);
        ulong ticks = ((ulong)ReadUInt32(body[4..]) << 32) | ReadUInt32(body[8..]);
        uint captured = ReadUInt32(body[12..]);
        uint original = ReadUInt32(body[16..]);
        if (captured > body.Length - 20)
            throw new CaptureFormatException(Name, offset,
                $"{kind}: captured length {captured} points past the block's end ({body.Length - 20} bytes of data)");
        if (!iface.TryToNanoseconds(ticks, out long nanoseconds))
            throw new CaptureFormatException(Name, offset,
                $"{kind}: timestamp {ticks} in units of {iface.Resolution} is past what 64-bit nanoseconds since 1970 hold (the year 2262)");
        return new PacketRecord(body.Slice(20, (int)captured), nanoseconds, ClampLength(original), iface.LinkType, offset,
            framesPassed);
    }

    private InterfaceDescription Interface(uint id, long offset)
    {
        if (id >= _interfaces.Count)
            throw new CaptureFormatException(Name, offset,
                $"packet refers to interface {id}, but the section describes {_interfaces.Count}");
        return _interfaces[(int)id];
    }

    private static int ClampLength(uint length) => (int)Math.Min(length, int.MaxValue);

    private ushort ReadUInt16(ReadOnlySpan<byte> b) =>
        _swapped ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);

    private uint ReadUInt32(ReadOnlySpan<byte> b) =>
        _swapped ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    private ulong ReadUInt64(ReadOnlySpan<byte> b) =>
        _swapped ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();
}

/// <summary>An interface of a pcapng section: link type, snaplen and how to read its timestamps.</summary>
public readonly record struct InterfaceDescription(int LinkType, uint SnapLength, TimestampResolution Resolution, long OffsetSeconds)
{
    /// <summary>
    /// Converts the interface's timestamp ticks to nanoseconds since the epoch, with its if_tsoffset; false when the time
    /// does not fit 64 bits of nanoseconds (a damaged timestamp or resolution: the count would wrap to another time).
    /// </summary>
    public bool TryToNanoseconds(ulong ticks, out long nanoseconds)
    {
        // At most 2^64 seconds of ticks, 10^9 nanoseconds each, plus or minus 2^63 seconds of offset: inside 128 bits.
        Int128 total = (Int128)Resolution.ToNanoseconds(ticks) + (Int128)OffsetSeconds * 1_000_000_000;
        bool fits = total >= long.MinValue && total <= long.MaxValue;
        nanoseconds = fits ? (long)total : 0;
        return fits;
    }
}

/// <summary>The if_tsresol option: units of 10^-n or 2^-n seconds.</summary>
public readonly record struct TimestampResolution(byte Code)
{
    /// <summary>The default when the option is absent.</summary>
    public static TimestampResolution Microseconds => new(6);

    /// <summary>Converts ticks of this resolution to nanoseconds, in 128 bits: no count of ticks wraps.</summary>
    public UInt128 ToNanoseconds(ulong ticks)
    {
        int exponent = Code & 0x7F;
        if ((Code & 0x80) != 0)
        {
            // Binary fractions: 2^-exponent seconds a tick.
            if (exponent >= 64) return 0;
            ulong seconds = ticks >> exponent;
            ulong fraction = ticks & ((1UL << exponent) - 1);
            return (UInt128)seconds * 1_000_000_000UL + (((UInt128)fraction * 1_000_000_000UL) >> exponent);
        }
        if (exponent <= 9) return (UInt128)ticks * Pow10(9 - exponent);
        return exponent > 28 ? 0 : ticks / Pow10(exponent - 9);
    }

    /// <inheritdoc />
    public override string ToString() => (Code & 0x80) != 0 ? $"2^-{Code & 0x7F} s" : $"10^-{Code & 0x7F} s";

    private static ulong Pow10(int n)
    {
        ulong result = 1;
        for (int i = 0; i < n; i++) result *= 10;
        return result;
    }
}
