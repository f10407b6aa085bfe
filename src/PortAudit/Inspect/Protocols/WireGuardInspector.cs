using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// WireGuard on any UDP port (its whitepaper, 5.4): the initiator's handshake initiation (type 1, three zero bytes, its
/// sender index, 148 bytes in all) answered by the responder's handshake response (type 2, 92 bytes) or cookie reply
/// (type 3, 64 bytes) that names that index as its receiver. The index tying the two is what claims the flow; when no
/// answer comes, two initiations in a row (WireGuard retries every 5 s with a new index) claim it; an answer to the
/// last one still completes the detail. A capture begun after the handshake shows only transport data (type 4, 5.4.6):
/// each side's messages name the index its peer chose, the same on every message, and count up from zero with a
/// 64-bit counter; a side's message that repeats its index after the other side was heard, or a third with its
/// counter going up when only one side was captured, claims the flow. appDetail: <c>handshake</c>,
/// <c>cookie-reply</c>, <c>initiation</c> (no answer seen) or <c>transport</c> (no handshake seen).
/// </summary>
public sealed class WireGuardInspector() : Inspector(new(AppLabel.WireGuard, Udp, [51820], InspectorPrecision.Signature, 250) { UsesScratch = true, Depth = ProbeDepth.Exchange, FirstBytes = Leading(Initiation, Response, CookieReply, TransportData) })
{
    private const byte Initiation = 1, Response = 2, CookieReply = 3;
    private const int InitiationLength = 148, ResponseLength = 92, CookieReplyLength = 64;
    private const int SenderOffset = 4, ReceiverOffset = 8, CookieReceiverOffset = 4;
    // Scratch: the last initiation's sender index in the low 32 bits, then how many initiations were seen (up to 3).
    private const int CountShift = 32;
    private const ulong IndexMask = 0xFFFF_FFFF;

    // Transport data: type, three zero bytes, the receiver's index, a 64-bit counter (little-endian), then at least the
    // 16-byte tag of an empty (keepalive) message.
    private const byte TransportData = 4;
    private const int TransportMinimumLength = 32, TransportReceiverOffset = 4, CounterOffset = 8;
    // A counter starts at zero for each new key, and a key is replaced after 2^60 messages or two minutes: one whose top
    // three bytes are not zero is not one a sender got to.
    private const int CounterHighOffset = 13;
    // Scratch in transport mode: this bit, and each side's index and counter (NumberedSides, the low 60 bits).
    private const ulong TransportMode = 1UL << 63;
    private static readonly AppDetail TransportDetail = AppDetail.Word("transport");

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < 4 || data[1] != 0 || data[2] != 0 || data[3] != 0) return InspectResult.NoMatch;
        if ((input.Scratch & TransportMode) != 0 || (input.Scratch == 0 && data[0] == TransportData)) return Transport(ref input);
        ulong initiations = input.Scratch >> CountShift;
        if (input.FromClient)
        {
            if (data[0] != Initiation || data.Length != InitiationLength) return InspectResult.NoMatch;
            initiations = Math.Min(initiations + 1, 3);
            input.Scratch = initiations << CountShift | BinaryPrimitives.ReadUInt32LittleEndian(data[SenderOffset..]);
            // A second initiation claims the flow (a capture may hold no more of it: a UDP flow has no end of stream to
            // decide at); an answer to it still completes the detail.
            if (initiations < 2) return input.Undecided;
            input.Flow.AppDetail = AppDetail.Word("initiation");
            return InspectResult.Partial;
        }
        if (initiations == 0) return InspectResult.NoMatch;
        uint sender = (uint)(input.Scratch & IndexMask);
        return data[0] switch
        {
            Response when data.Length == ResponseLength => Decide(ref input, Receiver(data, ReceiverOffset) == sender, "handshake"),
            CookieReply when data.Length == CookieReplyLength => Decide(ref input, Receiver(data, CookieReceiverOffset) == sender, "cookie-reply"),
            _ => InspectResult.NoMatch,
        };
    }

    // One transport-data message of either side: it names the index the other side chose and counts up from zero
    // (NumberedSides).
    private static InspectResult Transport(ref InspectionInput input)
    {
        var data = input.Data;
        if (data[0] != TransportData || data.Length < TransportMinimumLength
            || data[CounterHighOffset] != 0 || data[CounterHighOffset + 1] != 0 || data[CounterHighOffset + 2] != 0)
            return InspectResult.NoMatch;
        input.Scratch |= TransportMode;
        return input.Settled(NumberedSides.Count(ref input, Receiver(data, TransportReceiverOffset), data[CounterOffset], TransportDetail));
    }

    private static uint Receiver(ReadOnlySpan<byte> message, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(message[offset..]);

    private static InspectResult Decide(ref InspectionInput input, bool claimed, string detail)
    {
        if (!claimed) return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word(detail);
        return InspectResult.Match;
    }
}
