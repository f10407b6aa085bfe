using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// DHCP (RFC 2131) and BOOTP over UDP 67/68 and PXE's 4011: a BOOTP header (op 1 or 2, a hardware address length up to
/// 16) with the DHCP magic cookie at offset 236 and options that read to their end. appDetail is the DHCP message type.
/// </summary>
public sealed class DhcpInspector() : Inspector(new(AppLabel.Dhcp, Udp, [67, 68, 4011], InspectorPrecision.Signature, 160)
{
    // The BOOTP op (RFC 2131 2): 1 BOOTREQUEST, 2 BOOTREPLY.
    FirstBytes = Leading(1, 2),
})
{
    private const int CookieOffset = 236;
    private const uint Cookie = 0x63825363;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < CookieOffset + 4 || data[0] is not (1 or 2) || data[2] > 16 || data[3] > 16
            || BinaryPrimitives.ReadUInt32BigEndian(data[CookieOffset..]) != Cookie)
            return InspectResult.NoMatch;
        int type = 0;
        int at = CookieOffset + 4;
        while (at < data.Length && data[at] != 255)
        {
            if (data[at] == 0)
            {
                at++;
                continue;
            }
            if (at + 2 > data.Length || at + 2 + data[at + 1] > data.Length) return InspectResult.NoMatch;
            if (data[at] == 53 && data[at + 1] == 1) type = data[at + 2];
            at += 2 + data[at + 1];
        }
        input.Flow.AppDetail ??= AppDetail.Word(type switch
        {
            1 => "discover",
            2 => "offer",
            3 => "request",
            4 => "decline",
            5 => "ack",
            6 => "nak",
            7 => "release",
            8 => "inform",
            0 => "bootp",
            _ => "other",
        });
        return InspectResult.Match;
    }
}
