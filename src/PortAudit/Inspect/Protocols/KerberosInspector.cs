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
    // pvno 5 after its context tag, [1] in a KDC-REQ and [0] in the replies and KRB-ERROR.
    private static ReadOnlySpan<byte> Pvno5 => [0x03, 0x02, 0x01, 0x05];

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        bool cut = false;
        if (input.IsTcp)
        {
            if (data.Length < 4) return data.Length > 0 && data[0] == 0 ? input.Undecided : InspectResult.NoMatch;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data);
            if (length is < 16 or > 0x10_0000) return InspectResult.NoMatch;
            data = data[4..];
            cut = data.Length < length;
        }
        var result = Read(data, out string? name);
        // A record sent a few bytes at a time (RFC 4120 7.2.2's length, then two long-form headers) may end before pvno:
        // it waits while what came reads as a KDC message's start, at most the 21 bytes up to pvno.
        if (result == InspectResult.NeedMore) return cut ? input.Undecided : InspectResult.NoMatch;
        if (result == InspectResult.Match) input.Flow.AppDetail = AppDetail.Word(name!);
        return result;
    }

    // The message's APPLICATION tag, the SEQUENCE inside and pvno 5: Match with the message's name; NeedMore when the bytes
    // end before pvno's last byte, all so far as a KDC message has them; NoMatch otherwise.
    private static InspectResult Read(ReadOnlySpan<byte> data, out string? name)
    {
        name = data.IsEmpty ? null : MessageName(data[0]);
        if (data.IsEmpty) return InspectResult.NeedMore;
        if (name is null) return InspectResult.NoMatch;
        if (!Ber.TryHeader(data, out _, out _, out int header)) return Ber.Unread(data);
        var inner = data[header..];
        if (inner.IsEmpty) return InspectResult.NeedMore;
        if (inner[0] != 0x30) return InspectResult.NoMatch;
        if (!Ber.TryHeader(inner, out _, out _, out int seqHeader)) return Ber.Unread(inner);
        inner = inner[seqHeader..];
        if (inner.IsEmpty) return InspectResult.NeedMore;
        if (inner[0] is not (0xA0 or 0xA1)) return InspectResult.NoMatch;
        var pvno = inner[1..Math.Min(inner.Length, 1 + Pvno5.Length)];
        if (!pvno.SequenceEqual(Pvno5[..pvno.Length])) return InspectResult.NoMatch;
        return pvno.Length < Pvno5.Length ? InspectResult.NeedMore : InspectResult.Match;
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
