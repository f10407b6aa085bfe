using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// RADIUS (RFC 2865, 2866, 5176) over UDP: a known code, a length that fits the datagram, and attributes that fill
/// the packet exactly.
/// </summary>
public sealed class RadiusInspector() : Inspector(new(AppLabel.Radius, Udp, [1812, 1813, 1645, 1646, 3799], InspectorPrecision.Loose, 30) { FirstBytes = Leading([.. Between(1, 5), .. Between(11, 13), .. Between(40, 45)]) })
{
    // FirstBytes: the Code field (RFC 2865 3), the codes CodeName knows.
    private const int Header = 20;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < Header || CodeName(data[0]) is not { } name) return InspectResult.NoMatch;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (length < Header || length > 4096 || length > data.Length) return InspectResult.NoMatch;
        int at = Header;
        while (at < length)
        {
            if (at + 2 > length || data[at + 1] < 2) return InspectResult.NoMatch;
            at += data[at + 1];
        }
        if (at != length) return InspectResult.NoMatch;
        input.Flow.AppDetail ??= AppDetail.Word(name);
        return InspectResult.Match;
    }

    private static string? CodeName(byte code) => code switch
    {
        1 => "access-request",
        2 => "access-accept",
        3 => "access-reject",
        4 => "accounting-request",
        5 => "accounting-response",
        11 => "access-challenge",
        12 => "status-server",
        13 => "status-client",
        40 => "disconnect-request",
        41 => "disconnect-ack",
        42 => "disconnect-nak",
        43 => "coa-request",
        44 => "coa-ack",
        45 => "coa-nak",
        _ => null,
    };
}
