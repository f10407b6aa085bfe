using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Kerberos (RFC 4120) over UDP and TCP (RFC 4120 7.2.2: a four-byte length first): a KDC request, reply or error,
/// recognised by its application tag, the SEQUENCE inside and pvno 5. The message type goes to appDetail.
/// </summary>
public sealed class KerberosInspector() : Inspector(new(AppLabel.Kerberos, AnyTransport, [88, 464], InspectorPrecision.Signature, 70)
{
    // Over TCP the record length's high byte, 0 for any length taken (at most 1 MiB); over UDP the message's APPLICATION
    // tag: AS-REQ to AP-REP (0x6A-0x6F) or KRB-ERROR (0x7E).
    FirstBytes = Leading([0x00, .. Between(0x6A, 0x6F), 0x7E]),
})
{
    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp)
        {
            if (data.Length < 4) return !input.AtLimit && data.Length > 0 && data[0] == 0 ? InspectResult.NeedMore : InspectResult.NoMatch;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data);
            if (length is < 16 or > 0x10_0000) return InspectResult.NoMatch;
            data = data[4..];
        }
        if (data.Length < 8) return input.IsTcp && !input.AtLimit ? InspectResult.NeedMore : InspectResult.NoMatch;
        string? name = MessageName(data[0]);
        if (name is null || !Ber.TryHeader(data, out _, out _, out int header)) return InspectResult.NoMatch;
        var inner = data[header..];
        if (!Ber.TryHeader(inner, out byte sequence, out _, out int seqHeader) || sequence != 0x30) return InspectResult.NoMatch;
        inner = inner[seqHeader..];
        // KDC-REQ carries pvno as [1] (after an optional nothing), the replies and KRB-ERROR as [0]: either way "Ax 03 02 01 05".
        if (inner.Length < 5 || (inner[0] != 0xA0 && inner[0] != 0xA1) || !inner[1..5].SequenceEqual("\u0003\u0002\u0001\u0005"u8))
            return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word(name);
        return InspectResult.Match;
    }

    private static string? MessageName(byte tag) => tag switch
    {
        0x6A => "AS-REQ",
        0x6B => "AS-REP",
        0x6C => "TGS-REQ",
        0x6D => "TGS-REP",
        0x6E => "AP-REQ",
        0x6F => "AP-REP",
        0x7E => "KRB-ERROR",
        _ => null,
    };
}
