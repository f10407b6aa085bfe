using System.Buffers.Binary;
using System.Text;
using PortAudit.Decode;

namespace PortAudit.Sources.Files;

/// <summary>
/// Writes one pcapng section: a section header, one interface description per capturing interface
/// (nanosecond timestamps), then an enhanced packet block per packet. Little-endian, no per-packet allocation.
/// The file is complete after every block; <see cref="Dispose"/> flushes what is buffered.
/// </summary>
public sealed class PcapNgWriter : IDisposable
{
    private const uint InterfaceDescriptionType = 1;
    private const uint EnhancedPacketType = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const ushort OptionEnd = 0;
    private const ushort OptionApplication = 4;
    private const ushort OptionInterfaceName = 2;
    private const ushort OptionTimestampResolution = 9;
    private const byte NanosecondResolution = 9;
    private const int PacketBlockOverhead = 32;

    private static ReadOnlySpan<byte> Padding => [0, 0, 0];

    private readonly Stream _output;
    private readonly int _interfaceCount;

    /// <summary>
    /// Starts a section on <paramref name="output"/>, which the writer then owns, describing <paramref name="interfaces"/>
    /// in order: packet blocks refer to them by index.
    /// </summary>
    public PcapNgWriter(Stream output, IReadOnlyList<CaptureInterface> interfaces)
    {
        _output = output;
        _interfaceCount = interfaces.Count;
        WriteSectionHeader();
        foreach (var iface in interfaces) WriteInterface(iface);
    }

    /// <summary>Bytes written so far, headers included.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Packets written so far.</summary>
    public long Packets { get; private set; }

    /// <summary>The size on disk of <paramref name="packet"/>'s block.</summary>
    public static int BlockLength(in PacketRecord packet) => PacketBlockOverhead + Padded(packet.Data.Length);

    /// <summary>Writes <paramref name="packet"/> as captured on the interface of index <paramref name="interfaceIndex"/>.</summary>
    public void Write(int interfaceIndex, in PacketRecord packet)
    {
        if ((uint)interfaceIndex >= (uint)_interfaceCount)
            throw new ArgumentOutOfRangeException(nameof(interfaceIndex), $"the section describes {_interfaceCount} interfaces");
        var data = packet.Data;
        int length = BlockLength(packet);
        ulong ticks = (ulong)packet.TimestampNs;
        Span<byte> head = stackalloc byte[28];
        BinaryPrimitives.WriteUInt32LittleEndian(head, EnhancedPacketType);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)interfaceIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(head[12..], (uint)(ticks >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(head[16..], (uint)ticks);
        BinaryPrimitives.WriteUInt32LittleEndian(head[20..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(head[24..], (uint)Math.Max(packet.OriginalLength, data.Length));
        _output.Write(head);
        _output.Write(data);
        _output.Write(Padding[..(Padded(data.Length) - data.Length)]);
        WriteTrailer(length);
        Packets++;
    }

    /// <summary>
    /// The packet blocks wholly in <paramref name="file"/> from offset <paramref name="from"/> (where a block starts) to
    /// its end, and the offset where the last whole block ends: what a reader finds after a write that failed part way
    /// (a full disk), read back from the file rather than remembered for every packet.
    /// </summary>
    public static (long Packets, long End) CompletePacketBlocks(Stream file, long from)
    {
        long length = file.Length, packets = 0, end = from;
        Span<byte> head = stackalloc byte[8];
        while (end + head.Length <= length)
        {
            file.Position = end;
            file.ReadExactly(head);
            uint blockLength = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            if (blockLength < 12 || blockLength % 4 != 0 || end + blockLength > length) break;
            if (BinaryPrimitives.ReadUInt32LittleEndian(head) == EnhancedPacketType) packets++;
            end += blockLength;
        }
        return (packets, end);
    }

    /// <summary>Pushes buffered blocks to the file so other tools can read what was captured so far.</summary>
    public void Flush() => _output.Flush();

    private void WriteSectionHeader()
    {
        var application = Encoding.UTF8.GetBytes("PortAudit");
        int length = 24 + OptionLength(application.Length) + 4 + 4;
        Span<byte> head = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(head, PcapNgReader.SectionHeaderType);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(head[12..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(head[14..], 0);
        // Section length unknown (-1): the writer streams and never seeks back.
        BinaryPrimitives.WriteInt64LittleEndian(head[16..], -1);
        _output.Write(head);
        WriteOption(OptionApplication, application);
        WriteOption(OptionEnd, []);
        WriteTrailer(length);
    }

    private void WriteInterface(CaptureInterface iface)
    {
        var name = Encoding.UTF8.GetBytes(iface.Name);
        int length = 16 + OptionLength(name.Length) + OptionLength(1) + 4 + 4;
        Span<byte> head = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(head, InterfaceDescriptionType);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(head[8..], (ushort)iface.LinkType);
        BinaryPrimitives.WriteUInt16LittleEndian(head[10..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(head[12..], (uint)Math.Max(0, iface.SnapLength));
        _output.Write(head);
        WriteOption(OptionInterfaceName, name);
        WriteOption(OptionTimestampResolution, [NanosecondResolution]);
        WriteOption(OptionEnd, []);
        WriteTrailer(length);
    }

    private static int OptionLength(int valueLength) => 4 + Padded(valueLength);

    private static int Padded(int length) => (length + 3) & ~3;

    private void WriteOption(ushort code, ReadOnlySpan<byte> value)
    {
        Span<byte> head = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(head, code);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], (ushort)value.Length);
        _output.Write(head);
        _output.Write(value);
        _output.Write(Padding[..(Padded(value.Length) - value.Length)]);
    }

    // Every block ends here, so this is where its size is counted.
    private void WriteTrailer(int length)
    {
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, (uint)length);
        _output.Write(trailer);
        BytesWritten += length;
    }

    /// <summary>Flushes and closes the file; the file is closed even when the flush fails (a full disk), which then throws.</summary>
    public void Dispose()
    {
        try
        {
            _output.Flush();
        }
        finally
        {
            _output.Dispose();
        }
    }
}

/// <summary>An interface packets are captured on, as a capture file describes it.</summary>
/// <param name="Name">The interface name (if_name).</param>
/// <param name="LinkType">The LINKTYPE_ value of its packets.</param>
/// <param name="SnapLength">Most bytes kept of a packet; 0 for no limit.</param>
public readonly record struct CaptureInterface(string Name, int LinkType, int SnapLength);
