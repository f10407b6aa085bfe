using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SNMP (RFC 3416, RFC 3412) over UDP: a message SEQUENCE with version 0, 1 or 3, then a community and a PDU
/// (v1, v2c) or the v3 header. appDetail is the version and PDU type.
/// </summary>
public sealed class SnmpInspector() : Inspector(new(AppLabel.Snmp, Udp, [161, 162], InspectorPrecision.Signature, 90) { FirstBytes = Leading(0x30) })
{
    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || !Ber.TryHeader(data, out byte tag, out int length, out int header) || tag != 0x30) return InspectResult.NoMatch;
        if (header + length > data.Length) return InspectResult.NoMatch;
        var body = data.Slice(header, length);
        if (!Ber.TryInteger(body, out int version, out int size) || version is not (0 or 1 or 3)) return InspectResult.NoMatch;
        body = body[size..];
        if (version == 3)
        {
            if (!Ber.TryHeader(body, out byte global, out _, out _) || global != 0x30) return InspectResult.NoMatch;
            input.Flow.AppDetail = AppDetail.Word("v3");
            return InspectResult.Match;
        }
        if (!Ber.TryHeader(body, out byte community, out int communityLength, out int communityHeader) || community != 0x04) return InspectResult.NoMatch;
        int pdu = communityHeader + communityLength;
        if (pdu >= body.Length) return InspectResult.NoMatch;
        string? name = PduName(body[pdu]);
        if (name is null) return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word((version == 0 ? "v1 " : "v2c ") + name);
        return InspectResult.Match;
    }

    private static string? PduName(byte tag) => tag switch
    {
        0xA0 => "get-request",
        0xA1 => "get-next-request",
        0xA2 => "response",
        0xA3 => "set-request",
        0xA4 => "trap",
        0xA5 => "get-bulk-request",
        0xA6 => "inform-request",
        0xA7 => "trap-v2",
        0xA8 => "report",
        _ => null,
    };
}
