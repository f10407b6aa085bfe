using System.Buffers.Binary;
using PortAudit.Flows.Facts;
using static PortAudit.Inspect.Protocols.OpenVpnPacket;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// OpenVPN's control channel on any TCP or UDP port (OpenVPN's protocol overview, ssl_pkt.h): every control message begins
/// with its opcode (high five bits) and key id (low three), then the sender's 8-byte session ID; over TCP each message
/// is preceded by its 16-bit length. The client opens with a hard reset (P_CONTROL_HARD_RESET_CLIENT_V1, V2 or V3, key
/// id 0) and names its session ID again on every control message after it; the server answers with its own hard reset,
/// which, when no tls-auth or tls-crypt wraps it, acknowledges the client's session ID. Either tie claims the flow: the
/// client's next control or acknowledgement message under the same session ID (not its reset again: any message sent
/// twice repeats its bytes), or the server's reset acknowledging it. OpenVPN on a port allowed for TLS or STUN is a tunnel no document's protocol runs over.
/// appDetail: the client's reset, <c>reset-v1</c>, <c>reset-v2</c> or <c>reset-v3</c> (tls-crypt-v2).
/// </summary>
public sealed class OpenVpnInspector() : Inspector(new(AppLabel.OpenVpn, 0, [1194], InspectorPrecision.Signature, 260) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    // A client's reset holds at least its acknowledgement count and packet ID after the header.
    private const int MinimumReset = ControlHeader + 1 + 4;
    // A reset is small: its header, tls-auth's HMAC or tls-crypt's tag, a few acknowledgements, and with tls-crypt-v2 the
    // client's wrapped key (at most 1 KiB with its metadata).
    private const int MaximumReset = 2048;
    // Scratch: the client's session ID in the low 60 bits (ties compare those), its reset's version in the next two, and
    // over UDP which side's first datagram was read (a later one is not the opening message).
    private const ulong SessionMask = (1UL << 60) - 1, ClientOpened = 1UL << 63, ServerOpened = 1UL << 62;
    private const int VersionShift = 60;
    // The detail of each version kept in the scratch word.
    private static readonly AppDetail[] ResetDetails = [null!, AppDetail.Word("reset-v1"), AppDetail.Word("reset-v2"), AppDetail.Word("reset-v3")];

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp && !MayOpenWithReset(data, input.FromClient)) return InspectResult.NoMatch;
        var found = Next(ref data, input.IsTcp, out var first);
        if (found != InspectResult.Match) return input.Settled(found);
        if ((first[0] & KeyIdMask) != 0) return InspectResult.NoMatch;
        if (!input.FromClient) return Answer(ref input, first);
        // A client's later datagram: its control message under the session ID of its reset claims the flow.
        if ((input.Scratch & ClientOpened) != 0 && !input.IsTcp)
            return RepeatsSession(first, input.Scratch) ? Claim(ref input) : InspectResult.NoMatch;
        if (!IsReset(first[0], fromClient: true) || first.Length < MinimumReset) return InspectResult.NoMatch;
        ulong session = Session(first, SessionOffset);
        ulong version = Opcode(first[0]) switch { ClientResetV1 => 1, ClientResetV2 => 2, _ => 3 };
        input.Scratch = input.Scratch & ServerOpened | ClientOpened | version << VersionShift | session;
        // A datagram is one message: the client's next one comes in a later call.
        if (!input.IsTcp) return input.Undecided;
        found = Next(ref data, true, out var second);
        if (found != InspectResult.Match) return input.Settled(found);
        return RepeatsSession(second, session) ? Claim(ref input) : InspectResult.NoMatch;
    }

    // The flow is OpenVPN: its detail names the client's reset.
    private static InspectResult Claim(ref InspectionInput input)
    {
        input.Flow.AppDetail = ResetDetails[input.Scratch >> VersionShift & 3];
        return InspectResult.Match;
    }

    // A session ID (its low 60 bits, as the scratch word keeps it) at offset at.
    private static ulong Session(ReadOnlySpan<byte> message, int at) => BinaryPrimitives.ReadUInt64BigEndian(message[at..]) & SessionMask;

    // A message's first byte: key id 0 and a client's (or a server's) hard reset.
    private static bool IsReset(byte first, bool fromClient) =>
        (first & KeyIdMask) == 0 && Opcode(first) is var opcode
        && (fromClient ? opcode is ClientResetV1 or ClientResetV2 or ClientResetV3 : opcode is ServerResetV1 or ServerResetV2);

    // The server's side: its first message is its reset, which claims the flow when it acknowledges the client's session;
    // wrapped by tls-crypt, or any later datagram, it leaves the decision to the client's next message.
    private static InspectResult Answer(ref InspectionInput input, scoped ReadOnlySpan<byte> message)
    {
        if ((input.Scratch & ClientOpened) == 0) return InspectResult.NoMatch;
        if (!input.IsTcp)
        {
            if ((input.Scratch & ServerOpened) != 0) return input.Undecided;
            input.Scratch |= ServerOpened;
        }
        if (!IsReset(message[0], fromClient: false)) return InspectResult.NoMatch;
        return Acknowledges(message, input.Scratch & SessionMask) ? Claim(ref input) : input.Undecided;
    }

    // Over TCP the opening message's length and first byte come before the rest of it: most streams are told apart at
    // once, without waiting for bytes they will never send (a TLS record's 0x16 0x03 reads as a length of 5,635).
    private static bool MayOpenWithReset(ReadOnlySpan<byte> stream, bool fromClient)
    {
        if (stream.Length < TcpLengthPrefix) return true;
        int length = BinaryPrimitives.ReadUInt16BigEndian(stream);
        if (length < (fromClient ? MinimumReset : ControlHeader) || length > MaximumReset) return false;
        return stream.Length == TcpLengthPrefix || IsReset(stream[TcpLengthPrefix], fromClient);
    }

    // Not a reset again: a message sent twice (a retransmission, of any protocol) repeats its bytes whatever they mean.
    private static bool RepeatsSession(ReadOnlySpan<byte> message, ulong session) =>
        message.Length >= ControlHeader && (message[0] & KeyIdMask) == 0
        && Opcode(message[0]) is Control or Ack or ControlWrappedKey
        && Session(message, SessionOffset) == (session & SessionMask);

    // The server's reset acknowledging the client's session: its acknowledgement count, the packet IDs, then the remote
    // session ID, after whichever tls-auth wrapping it has.
    private static bool Acknowledges(ReadOnlySpan<byte> reset, ulong clientSession)
    {
        foreach (byte auth in AuthLengths)
        {
            int remote = AfterAcks(reset, auth, out int acks);
            if (remote >= 0 && acks > 0 && remote + SessionLength <= reset.Length && Session(reset, remote) == clientSession)
                return true;
        }
        return false;
    }
}
