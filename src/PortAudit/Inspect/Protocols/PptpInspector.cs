using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The PPTP control connection on TCP 1723 (RFC 2637 2): a length, message type 1 (control), the magic cookie
/// 0x1A2B3C4D, a control message type 1-15 and a zero reserved field. The client's Start-Control-Connection-Request
/// waits for the server's reply; the cookie lets it decide alone when no more comes.
/// </summary>
public sealed class PptpInspector() : Inspector(new(AppLabel.Pptp, Tcp, [1723], InspectorPrecision.Signature, 170) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Header = 12;
    private const uint MagicCookie = 0x1A2B3C4D;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        if (data.Length < Header) return ServerConfirmation.ShortOfHeader(ref input);
        int length = BinaryPrimitives.ReadUInt16BigEndian(data);
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        if (length < Header + 4 || BinaryPrimitives.ReadUInt16BigEndian(data[2..]) != 1
            || BinaryPrimitives.ReadUInt32BigEndian(data[4..]) != MagicCookie || type is 0 or > 15 || data[10] != 0 || data[11] != 0)
            return ServerConfirmation.Denied(ref input);
        var result = ServerConfirmation.Either(ref input, type, out uint first);
        if (result == InspectResult.Match) input.Flow.AppDetail ??= AppDetail.Word(Name(first == 0 ? type : first));
        return result;
    }

    private static string Name(uint type) => type switch
    {
        1 => "start-control-connection-request",
        2 => "start-control-connection-reply",
        3 => "stop-control-connection-request",
        4 => "stop-control-connection-reply",
        5 => "echo-request",
        6 => "echo-reply",
        7 => "outgoing-call-request",
        8 => "outgoing-call-reply",
        9 => "incoming-call-request",
        10 => "incoming-call-reply",
        11 => "incoming-call-connected",
        12 => "call-clear-request",
        13 => "call-disconnect-notify",
        14 => "wan-error-notify",
        _ => "set-link-info",
    };
}
