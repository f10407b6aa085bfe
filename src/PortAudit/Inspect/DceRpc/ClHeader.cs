namespace PortAudit.Inspect.DceRpc;

/// <summary>The 80-byte header of a connectionless DCE/RPC PDU (DCE 1.1 RPC, chapter 12).</summary>
/// <param name="Type">PTYPE.</param>
/// <param name="LittleEndian">Integer representation.</param>
/// <param name="Interface">The interface the call is made on.</param>
/// <param name="Opnum">Operation number (a response repeats its request's).</param>
/// <param name="BodyLength">Length of the body after the header.</param>
/// <param name="Fragmented">True when the body is one fragment of several.</param>
public readonly record struct ClHeader(byte Type, bool LittleEndian, Guid Interface, ushort Opnum, ushort BodyLength, bool Fragmented)
{
    /// <summary>Header length.</summary>
    public const int Size = 80;

    /// <summary>PDU types this stage reads.</summary>
    public const byte Request = 0, Response = 2;

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
