using System.Buffers.Binary;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Smb;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SMB1, SMB2 and SMB3 over TCP 445 (direct) or NetBIOS session (139): a message frame carrying an SMB header.
/// appDetail is smb1, smb2 or smb3; a client negotiate claims the flow and the server's answer settles the dialect.
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
                input.Flow.AppDetail = Smb2Dialect(smb, input.FromClient) ?? input.Flow.AppDetail ?? AppDetail.Word("smb2");
                if (!input.FromClient) return InspectResult.Match;
                break;
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
        for (int messages = 0; messages < MaxClientMessages; messages++)
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

    // A negotiate response (command 0, response flag) names the dialect chosen: 0x03xx is SMB3.
    private static AppDetail? Smb2Dialect(ReadOnlySpan<byte> smb, bool fromClient)
    {
        if (fromClient || smb.Length < Smb2Header.Size + 6) return null;
        ushort command = BinaryPrimitives.ReadUInt16LittleEndian(smb[Smb2Header.CommandOffset..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.FlagsOffset..]);
        if (command != 0 || (flags & Smb2Header.ServerToRedir) == 0) return null;
        ushort dialect = BinaryPrimitives.ReadUInt16LittleEndian(smb[(Smb2Header.Size + 4)..]);
        if (dialect == 0x02FF) return AppDetail.Word("smb2");
        return AppDetail.Of(new(null, dialect >= 0x0300 ? "smb3" : "smb2"), new("dialect", $"{dialect >> 8}.{(dialect >> 4) & 0xF}.{dialect & 0xF}"));
    }

    private const byte Smb1Negotiate = 0x72;
    private const int MaxClientMessages = 4;

    private static InspectResult Keep(ulong scratch) => scratch != 0 ? InspectResult.Match : InspectResult.NoMatch;
}
