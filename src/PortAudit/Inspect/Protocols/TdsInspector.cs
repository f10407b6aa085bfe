using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// TDS, the SQL Server protocol ([MS-TDS] 2.2.3): an 8-byte packet header with a known type and status, window 0,
/// and a length that frames the bytes; a PRELOGIN's option table must also read cleanly. The header is short and
/// common: a TPKT packet carrying an ISO COTP connection request (S7comm, MMS on 102: version 3, reserved 0, its
/// length, destination reference 0) reads as a TDS RPC packet, and AMQP's or AFP's frames as SQL batches. So the
/// client's packet waits for the server's, which in TDS is always a tabular result (type 4, [MS-TDS] 2.2.3.1.1) and
/// claims the flow (<see cref="ServerConfirmation"/>); a client's packet decides alone only when no answer comes. The
/// server's status is 0 or 1 and no packet is longer than 32767 bytes, which rules out the Viber server on 5242 whose
/// first bytes (04 02 ed 03) read as a tabular result 60675 bytes long. The detail is the client's packet type.
/// </summary>
public sealed class TdsInspector() : Inspector(new(AppLabel.Tds, Tcp, [1433, 1434], InspectorPrecision.Signature, 130) { UsesScratch = true, Depth = ProbeDepth.Exchange, FirstBytes = Leading(0x01, 0x03, TabularResult, 0x06, 0x07, 0x0E, 0x10, 0x11, PreLogin) })
{
    private const int Header = 8;
    private const byte PreLogin = 0x12;
    // The server's only packet type; a client never sends it.
    private const byte TabularResult = 0x04;
    private const int MaxPacket = 32767;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        // A first byte of no TDS type the engine never shows (FirstBytes); a type of the other side's denies.
        if (!input.IsTcp || data.Length == 0 || TypeName(data[0]) is null) return InspectResult.NoMatch;
        if ((data[0] == TabularResult) == input.FromClient) return ServerConfirmation.Denied(ref input);
        if (data.Length < Header) return input.AtLimit ? ServerConfirmation.Denied(ref input) : InspectResult.NeedMore;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        // Status: the server's packets only ever mark the end of a message ([MS-TDS] 2.2.3.1.2: ignore and reset are the
        // client's); a packet is never longer than the largest packet size a LOGIN7 can ask (32767).
        if (data[1] > (input.FromClient ? 0x1F : 0x01) || data[7] != 0 || length < Header + 1 || length > MaxPacket)
            return ServerConfirmation.Denied(ref input);
        // A packet longer than what inspection keeps is judged by its header alone.
        if (data.Length < length) return input.AtLimit ? Claim(ref input) : InspectResult.NeedMore;
        // A packet that is not the last of its message must be followed by another TDS header of the same type.
        bool last = (data[1] & 1) != 0;
        if (!last && data.Length > length && data[length] != data[0]) return ServerConfirmation.Denied(ref input);
        if (last && data.Length > length && TypeName(data[length]) is null) return ServerConfirmation.Denied(ref input);
        if (data[0] == PreLogin && !PreLoginOptionsValid(data[Header..length])) return ServerConfirmation.Denied(ref input);
        return Claim(ref input);
    }

    // The client's packet waits for the server's answer, which claims the flow with the client's packet type.
    private static InspectResult Claim(ref InspectionInput input)
    {
        var result = ServerConfirmation.Either(ref input, input.Data[0], out uint asked);
        // The note is the client's packet type, read as one; a note of no type (a scratch value the inspector did not
        // leave) names nothing rather than throwing.
        if (result == InspectResult.Match && TypeName((byte)(asked == 0 ? input.Data[0] : asked)) is { } name)
            input.Flow.AppDetail ??= AppDetail.Word(name);
        return result;
    }

    private static string? TypeName(byte type) => type switch
    {
        0x01 => "sql-batch",
        0x03 => "rpc",
        0x04 => "response",
        0x06 => "attention",
        0x07 => "bulk-load",
        0x0E => "transaction-manager",
        0x10 => "login7",
        0x11 => "sspi",
        0x12 => "prelogin",
        _ => null,
    };

    // PL_OPTION_TOKEN entries: token, offset, length, ending with 0xFF; every option must lie inside the payload.
    private static bool PreLoginOptionsValid(ReadOnlySpan<byte> payload)
    {
        for (int at = 0; at < payload.Length; at += 5)
        {
            if (payload[at] == 0xFF) return at > 0;
            if (payload[at] > 0x08 || at + 5 > payload.Length) return false;
            int offset = BinaryPrimitives.ReadUInt16BigEndian(payload[(at + 1)..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(payload[(at + 3)..]);
            if (offset + length > payload.Length) return false;
        }
        return false;
    }
}
