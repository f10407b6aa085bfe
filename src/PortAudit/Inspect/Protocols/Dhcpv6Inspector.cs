using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// DHCPv6 (RFC 8415) over UDP 546/547: a known message type, its transaction id (or a relay's hop count and two
/// addresses), and options that fill the datagram exactly, among them a client identifier or a relayed message.
/// </summary>
public sealed class Dhcpv6Inspector() : Inspector(new(AppLabel.Dhcpv6, Udp, [546, 547], InspectorPrecision.Loose, 65)
{
    // msg-type (RFC 8415 7.3): the types Name knows, solicit (1) to relay-reply (13).
    FirstBytes = Leading(Between(1, 13)),
})
{
    private const int RelayForward = 12, RelayReply = 13, RelayHeader = 34;
    private const ushort ClientId = 1, ServerId = 2, RelayMessage = 9;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < 8 || Name(data[0]) is not { } name) return InspectResult.NoMatch;
        int at = data[0] is RelayForward or RelayReply ? RelayHeader : 4;
        bool identified = false;
        while (at < data.Length)
        {
            if (at + 4 > data.Length) return InspectResult.NoMatch;
            ushort code = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            identified |= code is ClientId or ServerId or RelayMessage;
            at += 4 + length;
        }
        if (at != data.Length || !identified) return InspectResult.NoMatch;
        input.Flow.AppDetail ??= AppDetail.Word(name);
        return InspectResult.Match;
    }

    private static string? Name(byte type) => type switch
    {
        1 => "solicit",
        2 => "advertise",
        3 => "request",
        4 => "confirm",
        5 => "renew",
        6 => "rebind",
        7 => "reply",
        8 => "release",
        9 => "decline",
        10 => "reconfigure",
        11 => "information-request",
        12 => "relay-forward",
        13 => "relay-reply",
        _ => null,
    };
}
