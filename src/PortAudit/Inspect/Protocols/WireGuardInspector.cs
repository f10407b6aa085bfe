using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// WireGuard on any UDP port (its whitepaper, 5.4): the initiator's handshake initiation (type 1, three zero bytes, its
/// sender index, 148 bytes in all) answered by the responder's handshake response (type 2, 92 bytes) or cookie reply
/// (type 3, 64 bytes) that names that index as its receiver. The index tying the two is what claims the flow; when no
/// answer comes, two initiations in a row (WireGuard retries every 5 s with a new index) claim it; an answer to the
/// last one still completes the detail. A capture begun
/// after the handshake shows only transport data (type 4), which is not claimed. appDetail: <c>handshake</c>,
/// <c>cookie-reply</c> or <c>initiation</c> (no answer seen).
/// </summary>
public sealed class WireGuardInspector() : Inspector(new(AppLabel.WireGuard, Udp, [51820], InspectorPrecision.Signature, 250) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const byte Initiation = 1, Response = 2, CookieReply = 3;
    private const int InitiationLength = 148, ResponseLength = 92, CookieReplyLength = 64;
    private const int SenderOffset = 4, ReceiverOffset = 8, CookieReceiverOffset = 4;
    // Scratch: the last initiation's sender index in the low 32 bits, then how many initiations were seen (up to 3).
    private const int CountShift = 32;
    private const ulong IndexMask = 0xFFFF_FFFF;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < 4 || data[1] != 0 || data[2] != 0 || data[3] != 0) return InspectResult.NoMatch;
        ulong initiations = input.Scratch >> CountShift;
        if (input.FromClient)
        {
            if (data[0] != Initiation || data.Length != InitiationLength) return InspectResult.NoMatch;
            initiations = Math.Min(initiations + 1, 3);
            input.Scratch = initiations << CountShift | BinaryPrimitives.ReadUInt32LittleEndian(data[SenderOffset..]);
            // A second initiation claims the flow (a capture may hold no more of it: a UDP flow has no end of stream to
            // decide at); an answer to it still completes the detail.
            if (initiations < 2) return input.AtLimit ? InspectResult.NoMatch : InspectResult.NeedMore;
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

    private static uint Receiver(ReadOnlySpan<byte> message, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(message[offset..]);

    private static InspectResult Decide(ref InspectionInput input, bool claimed, string detail)
    {
        if (!claimed) return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word(detail);
        return InspectResult.Match;
    }
}
