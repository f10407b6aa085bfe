using System.Buffers.Binary;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Smb;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SMB1, SMB2 and SMB3 over TCP 445 (direct) or NetBIOS session (139): a message frame carrying an SMB header.
/// appDetail is smb1, smb2 or smb3; a client negotiate claims the flow and the server's answer settles the dialect. An
/// answer of 0x02FF to a multi-protocol negotiate settles nothing ([MS-SMB2] 3.3.5.3.1): the client negotiates again in
/// SMB2, and that answer names the dialect (2.1.0, or 3.x, which makes the flow smb3).
/// </summary>
public sealed class SmbInspector() : Inspector(new(AppLabel.Smb, Tcp, [445, 139], InspectorPrecision.Signature, 50) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        int at = NetBiosSession.SkipControl(data);
        if (at < 0)
            return !input.AtLimit && NetBiosSession.TryHeader(data, out _, out _) ? InspectResult.NeedMore : Keep(input.Scratch);
        var smb = data[(at + NetBiosSession.Header)..];
        if (smb.Length < 4) return input.AtLimit ? Keep(input.Scratch) : InspectResult.NeedMore;
        if (!smb[1..4].SequenceEqual("SMB"u8)) return Keep(input.Scratch);
        switch (smb[0])
        {
            case 0xFF:
                input.Flow.AppDetail ??= AppDetail.Word("smb1");
                // A multi-protocol negotiate from the client offers SMB2 too ([MS-SMB2] 3.2.4.2.2.1): SMB1 is in use
                // when the server answers in it, or when the client speaks it past its negotiate (a capture of the
                // client's side only, or one begun after the negotiate).
                if (!input.FromClient || SpeaksSmb1(data, at))
                {
                    input.Flow.Weakness |= FlowWeakness.Smb1;
                    return InspectResult.Match;
                }
                break;
            case 0xFE:
                if (input.FromClient)
                {
                    input.Flow.AppDetail ??= AppDetail.Word("smb2");
                    break;
                }
                ushort dialect = NegotiatedDialect(data, at);
                input.Flow.AppDetail = DialectDetail(dialect) ?? input.Flow.AppDetail ?? AppDetail.Word("smb2");
                if (dialect != Wildcard || input.AtLimit) return InspectResult.Match;
                input.Scratch = 1;
                return InspectResult.Partial;
            case 0xFD or 0xFC:
                input.Flow.AppDetail = AppDetail.Word("smb3");
                return InspectResult.Match;
            default:
                return Keep(input.Scratch);
        }
        if (!input.FromClient) return InspectResult.Match;
        input.Scratch = 1;
        return InspectResult.Partial;
    }

    // True when one of the client's first messages (from the one at `at`) is an SMB1 command other than NEGOTIATE: a
    // client that offered SMB2 too goes on in SMB2 when the server chose it, and only in SMB1 when the server took SMB1.
    private static bool SpeaksSmb1(ReadOnlySpan<byte> data, int at)
    {
        for (int messages = 0; messages < MaxMessages; messages++)
        {
            if (!NetBiosSession.TryHeader(data[at..], out byte type, out int length)) return false;
            var smb = data[(at + NetBiosSession.Header)..];
            if (type == NetBiosSession.Message && smb.Length > Smb1Header.CommandOffset && smb[0] == 0xFF && smb[1..4].SequenceEqual("SMB"u8)
                && smb[Smb1Header.CommandOffset] != Smb1Negotiate)
                return true;
            at += NetBiosSession.Header + length;
            if (at >= data.Length) return false;
        }
        return false;
    }

    // The dialect the last SMB2 negotiate response (command 0, response flag) among the server's first messages names,
    // from the message at `at`; 0 when none does. The server's bytes come whole each time, the first answer included.
    private static ushort NegotiatedDialect(ReadOnlySpan<byte> data, int at)
    {
        ushort dialect = 0;
        for (int messages = 0; messages < MaxMessages && NetBiosSession.TryHeader(data[at..], out byte type, out int length); messages++)
        {
            var smb = data[(at + NetBiosSession.Header)..];
            if (type == NetBiosSession.Message && smb.Length >= Smb2Header.Size + 6 && smb[0] == 0xFE && smb[1..4].SequenceEqual("SMB"u8)
                && BinaryPrimitives.ReadUInt16LittleEndian(smb[Smb2Header.CommandOffset..]) == 0
                && (BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.FlagsOffset..]) & Smb2Header.ServerToRedir) != 0)
                dialect = BinaryPrimitives.ReadUInt16LittleEndian(smb[(Smb2Header.Size + 4)..]);
            at += NetBiosSession.Header + length;
            if (at >= data.Length) break;
        }
        return dialect;
    }

    // The detail a negotiated dialect gives: 0x03xx is SMB3; none for no answer read, smb2 alone for the wildcard.
    private static AppDetail? DialectDetail(ushort dialect) => dialect switch
    {
        0 => null,
        Wildcard => AppDetail.Word("smb2"),
        _ => AppDetail.Of(new(null, dialect >= 0x0300 ? "smb3" : "smb2"), new("dialect", $"{dialect >> 8}.{(dialect >> 4) & 0xF}.{dialect & 0xF}")),
    };

    private const byte Smb1Negotiate = 0x72;
    // The dialect of a server's answer to a multi-protocol negotiate: SMB2 of a version the next negotiate settles.
    private const ushort Wildcard = 0x02FF;
    // Messages read of each side's first bytes, for the client's SMB1 past its negotiate and the server's answers.
    private const int MaxMessages = 4;

    private static InspectResult Keep(ulong scratch) => scratch != 0 ? InspectResult.Match : InspectResult.NoMatch;
}
