using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// TDS, the SQL Server protocol ([MS-TDS] 2.2.3): an 8-byte packet header with a known type and status, window 0,
/// and a length that frames the bytes; a PRELOGIN's option table must also read cleanly.
/// </summary>
public sealed class TdsInspector() : Inspector(new(AppLabel.Tds, Tcp, [1433, 1434], InspectorPrecision.Signature, 130) { FirstBytes = Leading(0x01, 0x03, 0x04, 0x06, 0x07, 0x0E, 0x10, 0x11, PreLogin) })
{
    private const int Header = 8;
    private const byte PreLogin = 0x12;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp || data.Length == 0 || TypeName(data[0]) is not { } name) return InspectResult.NoMatch;
        if (data.Length < Header) return input.Undecided;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (data[1] > 0x1F || data[7] != 0 || length < Header + 1) return InspectResult.NoMatch;
        // A packet longer than what inspection keeps is judged by its header alone.
        if (data.Length < length) return input.AtLimit ? Claim(ref input, name) : InspectResult.NeedMore;
        // A packet that is not the last of its message must be followed by another TDS header of the same type.
        bool last = (data[1] & 1) != 0;
        if (!last && data.Length > length && data[length] != data[0]) return InspectResult.NoMatch;
        if (last && data.Length > length && TypeName(data[length]) is null) return InspectResult.NoMatch;
        if (data[0] == PreLogin && !PreLoginOptionsValid(data[Header..length])) return InspectResult.NoMatch;
        return Claim(ref input, name);
    }

    private static InspectResult Claim(ref InspectionInput input, string name)
    {
        input.Flow.AppDetail ??= AppDetail.Word(name);
        return InspectResult.Match;
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
