using System.Buffers.Binary;

namespace PortAudit.Tests.Builders;

/// <summary>Writes classic pcap files in either byte order and timestamp unit.</summary>
internal sealed class PcapBuilder(int linkType = 1, bool bigEndian = false, bool nanoseconds = false, uint snapLength = 65535, long epochSeconds = 1_700_000_000)
{
    private readonly MemoryStream _body = new();

    public int Count { get; private set; }

    /// <summary>Record offsets in the finished file, for damage tests.</summary>
    public List<long> RecordOffsets { get; } = new();

    public PcapBuilder Add(byte[] frame, double seconds = 0, int? captured = null, int? original = null)
    {
        RecordOffsets.Add(24 + _body.Length);
        int cap = captured ?? Math.Min(frame.Length, (int)snapLength);
        long whole = (long)Math.Floor(seconds);
        long fraction = (long)Math.Round((seconds - whole) * (nanoseconds ? 1e9 : 1e6));
        Span<byte> h = stackalloc byte[16];
        Write(h, (uint)(epochSeconds + whole));
        Write(h[4..], (uint)fraction);
        Write(h[8..], (uint)cap);
        Write(h[12..], (uint)(original ?? frame.Length));
        _body.Write(h);
        _body.Write(frame, 0, Math.Min(cap, frame.Length));
        Count++;
        return this;
    }

    /// <summary>A capture of <paramref name="frames"/> in turn, 10 ms apart from one second past the epoch base.</summary>
    public static byte[] Spaced(params byte[][] frames)
    {
        var builder = new PcapBuilder();
        double time = 1;
        foreach (var frame in frames) builder.Add(frame, time += 0.01);
        return builder.Build();
    }

    public byte[] Build()
    {
        var header = new byte[24];
        Write(header, nanoseconds ? 0xA1B23C4D : 0xA1B2C3D4);
        WriteShort(header.AsSpan(4), 2);
        WriteShort(header.AsSpan(6), 4);
        Write(header.AsSpan(16), snapLength);
        Write(header.AsSpan(20), (uint)linkType);
        return header.Concat(_body.ToArray()).ToArray();
    }

    private void Write(Span<byte> b, uint v)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
    }

    private void WriteShort(Span<byte> b, ushort v)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
    }
}

/// <summary>Writes pcapng: sections of either byte order, interfaces with options, and every packet block kind.</summary>
internal sealed class PcapNgBuilder
{
    private readonly MemoryStream _out = new();
    private bool _bigEndian;

    public PcapNgBuilder Section(bool bigEndian = false)
    {
        _bigEndian = bigEndian;
        var body = new byte[16];
        U32(body, 0x1A2B3C4D);
        U16(body.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(8), -1);
        return Block(0x0A0D0D0A, body);
    }

    public PcapNgBuilder Interface(int linkType, byte? tsresol = null, uint snapLength = 0, long? tsoffset = null)
    {
        var body = new List<byte>();
        var fixedPart = new byte[8];
        U16(fixedPart, (ushort)linkType);
        U32(fixedPart.AsSpan(4), snapLength);
        body.AddRange(fixedPart);
        if (tsresol is { } r)
        {
            var opt = new byte[8];
            U16(opt, 9);
            U16(opt.AsSpan(2), 1);
            opt[4] = r;
            body.AddRange(opt);
        }
        if (tsoffset is { } seconds)
        {
            var opt = new byte[12];
            U16(opt, 14);
            U16(opt.AsSpan(2), 8);
            if (_bigEndian) BinaryPrimitives.WriteInt64BigEndian(opt.AsSpan(4), seconds);
            else BinaryPrimitives.WriteInt64LittleEndian(opt.AsSpan(4), seconds);
            body.AddRange(opt);
        }
        if (tsresol is not null || tsoffset is not null) body.AddRange(new byte[4]); // opt_endofopt
        return Block(1, body.ToArray());
    }

    public PcapNgBuilder Enhanced(int iface, ulong ticks, byte[] frame, int? capturedOverride = null)
    {
        var body = new byte[20 + Pad(frame.Length)];
        U32(body, (uint)iface);
        U32(body.AsSpan(4), (uint)(ticks >> 32));
        U32(body.AsSpan(8), (uint)ticks);
        U32(body.AsSpan(12), (uint)(capturedOverride ?? frame.Length));
        U32(body.AsSpan(16), (uint)frame.Length);
        frame.CopyTo(body, 20);
        return Block(6, body);
    }

    public PcapNgBuilder Simple(byte[] frame)
    {
        var body = new byte[4 + Pad(frame.Length)];
        U32(body, (uint)frame.Length);
        frame.CopyTo(body, 4);
        return Block(3, body);
    }

    public PcapNgBuilder Obsolete(int iface, ulong ticks, byte[] frame)
    {
        var body = new byte[20 + Pad(frame.Length)];
        U16(body, (ushort)iface);
        U32(body.AsSpan(4), (uint)(ticks >> 32));
        U32(body.AsSpan(8), (uint)ticks);
        U32(body.AsSpan(12), (uint)frame.Length);
        U32(body.AsSpan(16), (uint)frame.Length);
        frame.CopyTo(body, 20);
        return Block(2, body);
    }

    public PcapNgBuilder Unknown(uint type, int length = 8) => Block(type, new byte[length]);

    /// <summary>A block of any type with <paramref name="body"/>, zero-padded to 32 bits.</summary>
    public PcapNgBuilder Other(uint type, byte[] body)
    {
        var padded = new byte[Pad(body.Length)];
        body.CopyTo(padded, 0);
        return Block(type, padded);
    }

    public byte[] Build() => _out.ToArray();

    private PcapNgBuilder Block(uint type, byte[] body)
    {
        var head = new byte[8];
        U32(head, type);
        U32(head.AsSpan(4), (uint)(12 + body.Length));
        _out.Write(head);
        _out.Write(body);
        _out.Write(head.AsSpan(4));
        return this;
    }

    private static int Pad(int n) => (n + 3) & ~3;

    private void U32(Span<byte> b, uint v)
    {
        if (_bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
    }

    private void U16(Span<byte> b, ushort v)
    {
        if (_bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
    }
}
