using System.Buffers.Binary;

namespace PortAudit.Inspect.DceRpc;

/// <summary>The 16-byte common header of a connection-oriented DCE/RPC PDU (DCE 1.1 RPC, chapter 12).</summary>
/// <param name="Type">PTYPE.</param>
/// <param name="Flags">pfc_flags.</param>
/// <param name="LittleEndian">Integer representation from the data representation label.</param>
/// <param name="FragLength">Length of the whole fragment, header included.</param>
/// <param name="AuthLength">Length of the authentication verifier's value.</param>
/// <param name="CallId">Call identifier, which pairs a response with its request.</param>
public readonly record struct CoHeader(byte Type, byte Flags, bool LittleEndian, ushort FragLength, ushort AuthLength, uint CallId)
{
    /// <summary>Header length.</summary>
    public const int Size = 16;

    /// <summary>PDU types this stage reads.</summary>
    public const byte Request = 0, Response = 2, Bind = 11, BindAck = 12, BindNak = 13, AlterContext = 14, AlterContextResponse = 15;

    /// <summary>pfc_flags bits.</summary>
    public const byte FirstFragment = 0x01, LastFragment = 0x02;

    /// <summary>A request's p_cont_id, after its alloc_hint (DCE 1.1 RPC 12.6.4.9).</summary>
    public const int RequestContextOffset = Size + 4;

    /// <summary>A request's opnum, after its p_cont_id.</summary>
    public const int RequestOpnumOffset = Size + 6;

    /// <summary>Where a request's or response's stub begins.</summary>
    public const int StubOffset = Size + 8;

    /// <summary>Where the stub ends inside the fragment: before the auth trailer.</summary>
    public int StubEnd => AuthLength == 0 ? FragLength : FragLength - AuthLength - 8;

    /// <summary>Reads and validates a header; false when the bytes cannot be one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out CoHeader header)
    {
        header = default;
        if (data.Length < Size) return false;
        if (data[0] != 5 || data[1] > 1 || data[2] > 19) return false;
        // Data representation: ASCII character set, integer order in the high nibble, and a known float format.
        if ((data[4] & 0xEF) != 0 || data[5] > 3 || data[6] != 0 || data[7] != 0) return false;
        bool little = (data[4] & 0x10) != 0;
        ushort frag = Read16(data[8..], little);
        ushort auth = Read16(data[10..], little);
        if (frag < Size || (auth > 0 && auth + 8 + Size > frag)) return false;
        header = new CoHeader(data[2], data[3], little, frag, auth, Read32(data[12..], little));
        return true;
    }

    /// <summary>
    /// True when <paramref name="data"/>, the start of <paramref name="length"/> bytes written to a file whose open was
    /// not seen, begins a client's call: a valid header (version 5.0 or 5.1) of a bind, alter_context or request whose
    /// fragment holds at least that PDU's fixed part and fits in the bytes written. What makes a write on an unknown file
    /// a named pipe's (as Suricata's smb_dcerpc_probe); a file's data seldom passes all of it.
    /// </summary>
    public static bool StartsCall(ReadOnlySpan<byte> data, long length)
    {
        if (!TryRead(data, out var header)) return false;
        int least = header.Type switch
        {
            Request => StubOffset,
            Bind or AlterContext => BindFixedPart,
            _ => int.MaxValue,
        };
        return header.FragLength >= least && header.FragLength <= length;
    }

    // A bind's or alter_context's fields before its context list: max_xmit_frag, max_recv_frag, assoc_group_id,
    // n_context_elem and its padding (DCE 1.1 RPC 12.6.4.3).
    private const int BindFixedPart = Size + 12;

    /// <summary>Reads a 16-bit integer in the PDU's order.</summary>
    public static ushort Read16(ReadOnlySpan<byte> data, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data) : BinaryPrimitives.ReadUInt16BigEndian(data);

    /// <summary>Reads a 32-bit integer in the PDU's order.</summary>
    public static uint Read32(ReadOnlySpan<byte> data, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data) : BinaryPrimitives.ReadUInt32BigEndian(data);

    /// <summary>Reads a UUID in the PDU's order (its first three fields follow the integer representation).</summary>
    public static Guid ReadUuid(ReadOnlySpan<byte> data, bool little) => new(data[..16], bigEndian: !little);
}
