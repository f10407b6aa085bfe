using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>NetBIOS datagram service (RFC 1002 4.4) over UDP: a known message type followed by encoded NetBIOS names.</summary>
public sealed class NetBiosDatagramInspector() : Inspector(new(AppLabel.NetBiosDgm, Udp, [138], InspectorPrecision.Signature, 110)
{
    // MSG_TYPE (RFC 1002 4.4.1): the direct unique, direct group and broadcast datagrams and the three query messages.
    FirstBytes = Leading(0x10, 0x11, 0x12, 0x14, 0x15, 0x16),
})
{
    private const int DirectHeader = 14, QueryHeader = 10;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < QueryHeader + NetBiosName.EncodedSize) return InspectResult.NoMatch;
        bool ok = data[0] switch
        {
            // Direct unique, direct group and broadcast datagrams: source and destination names.
            0x10 or 0x11 or 0x12 => NetBiosName.IsAt(data, DirectHeader) && NetBiosName.IsAt(data, NetBiosName.SkipScope(data, DirectHeader)),
            0x14 or 0x15 or 0x16 => NetBiosName.IsAt(data, QueryHeader),
            _ => false,
        };
        if (!ok) return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word(data[0] switch { 0x10 => "direct-unique", 0x11 => "direct-group", 0x12 => "broadcast", _ => "query" });
        return InspectResult.Match;
    }
}
