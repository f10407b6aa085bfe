using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// RTCP (RFC 3550 6.1) by heuristic: a compound datagram whose packets are all version 2 with RTCP types and whose
/// lengths add up to the datagram exactly. Reported with appDetail "heuristic".
/// </summary>
public sealed class RtcpInspector() : Inspector(new(AppLabel.Rtcp, Udp, [], InspectorPrecision.Heuristic, 10) { FirstBytes = Leading(Between(0x80, 0xBF)) })
{
    // FirstBytes: the first packet's version, 2, in the top two bits (RFC 3550 6.4.1).
    private const int Header = 4;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < 8) return InspectResult.NoMatch;
        int at = 0, packets = 0;
        while (at < data.Length)
        {
            if (at + Header > data.Length || (data[at] >> 6) != 2 || data[at + 1] is < 200 or > 207) return InspectResult.NoMatch;
            at += 4 * (BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]) + 1);
            packets++;
        }
        if (at != data.Length) return InspectResult.NoMatch;
        // A lone packet of a type a compound must not start with is too weak.
        if (packets == 1 && data[1] is not (200 or 201)) return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word("heuristic");
        return InspectResult.Match;
    }
}
