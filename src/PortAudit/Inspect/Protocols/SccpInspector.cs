using System.Buffers.Binary;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Cisco SCCP (Skinny) over TCP 2000: little-endian messages of a length (counting from the message id), a header
/// version (0 for the basic format, 10-22 for later call managers) and a message id. The phone's message waits for the
/// call manager's answer; SCCP over TLS on 2443 is TLS, left to the catalog.
/// </summary>
public sealed class SccpInspector() : Inspector(new(AppLabel.Sccp, Tcp, [2000], InspectorPrecision.Signature, 140) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const int Header = 12, MaxLength = 64 * 1024;
    private const uint KeepAlive = 0x0000, KeepAliveAck = 0x0100;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp) return InspectResult.NoMatch;
        if (data.Length < Header) return input.Undecided;
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        uint id = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        bool valid = length is >= 4 and <= MaxLength && version is 0 or (>= 10 and <= 22) && id is < 0x200 or (>= 0x8000 and < 0x8200);
        // KeepAlive and KeepAliveAck carry nothing past the message id (length 4, as tshark's skinny.data_length): a
        // MongoDB request (its length counting itself, request id 0, responseTo 0) reads as a keepalive otherwise.
        if (!valid || (id is KeepAlive or KeepAliveAck && length != 4)) return ServerConfirmation.Denied(ref input);
        // Where the ports guessed the sides (a capture joined mid-call, with no SYN, both ports 1024 or more), the message
        // id says who sent it: a call manager's message read first is the server's answer, and turns the flow.
        bool? byPhone = input.Flow.Sides == FlowSides.Ports ? SentByPhone(id) : null;
        input.SentByClient = byPhone;
        var result = ServerConfirmation.Either(ref input, byPhone ?? input.FromClient, id + 1, out uint asked);
        // The detail names the phone's first message, which the call manager's answer confirmed.
        if (result == InspectResult.Match && asked != 0 && MessageName(asked - 1) is { } name) input.Flow.AppDetail ??= AppDetail.Word(name);
        return result;
    }

    // Which side sends the message, by the ranges of tshark's skinny message table: the station's (phone, conference
    // bridge) below 0x80 and SPCP's token request 0x8000; the call manager's RegisterAck to Reset (0x81-0x9F), KeepAliveAck
    // to UnregisterAck (0x100-0x118) and SPCP's token answers. Others (MiscellaneousCommand, the later acks at
    // 0x154-0x15F, which stations send) say nothing.
    private static bool? SentByPhone(uint id) => id switch
    {
        < 0x80 or 0x8000 => true,
        (>= 0x81 and <= 0x9F) or (>= 0x100 and <= 0x118) or 0x8100 or 0x8101 => false,
        _ => null,
    };

    private static string? MessageName(uint id) => id switch
    {
        0x0000 => "keepalive",
        0x0001 => "register",
        0x0020 => "alarm",
        0x0081 => "register-ack",
        0x009D => "register-reject",
        0x0100 => "keepalive-ack",
        _ => null,
    };
}
