namespace PortAudit.Inspect.DceRpc;

/// <summary>The 80-byte header of a connectionless DCE/RPC PDU (DCE 1.1 RPC, chapter 12).</summary>
public readonly ref struct ClHeader
{
    /// <summary>Header length.</summary>
    public const int Size = 80;

    /// <summary>PDU types this stage reads.</summary>
    public const byte Request = 0, Response = 2;

    private ClHeader(byte type, bool little, Guid iface, ushort opnum, ushort bodyLength, bool fragmented)
    {
        Type = type;
        LittleEndian = little;
        Interface = iface;
        Opnum = opnum;
        BodyLength = bodyLength;
        Fragmented = fragmented;
    }

    /// <summary>PTYPE.</summary>
    public byte Type { get; }

    /// <summary>Integer representation.</summary>
    public bool LittleEndian { get; }

    /// <summary>The interface the call is made on.</summary>
    public Guid Interface { get; }

    /// <summary>Operation number (a response repeats its request's).</summary>
    public ushort Opnum { get; }

    /// <summary>Length of the body after the header.</summary>
    public ushort BodyLength { get; }

    /// <summary>True when the body is one fragment of several.</summary>
    public bool Fragmented { get; }

    /// <summary>Reads and validates a header; false when the datagram cannot be one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out ClHeader header)
    {
        header = default;
        if (data.Length < Size || data[0] != 4 || data[1] > 10) return false;
        if ((data[4] & 0xEF) != 0 || data[5] > 3) return false;
        bool little = (data[4] & 0x10) != 0;
        ushort length = CoHeader.Read16(data[74..], little);
        if (Size + length > data.Length) return false;
        header = new ClHeader(data[1], little, CoHeader.ReadUuid(data[24..], little),
            CoHeader.Read16(data[68..], little), length, (data[2] & 0x04) != 0);
        return true;
    }
}
