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
/// A capture of the server's side alone (the client's packets passed the sensor by another path) is claimed by the
/// server's reset and its next control or acknowledgement message naming the same two session IDs, its own and the
/// client's it acknowledges.
/// appDetail: the client's reset, <c>reset-v1</c>, <c>reset-v2</c> or <c>reset-v3</c> (tls-crypt-v2); the server's alone,
/// <c>server-reset-v1</c> or <c>server-reset-v2</c>.
/// </summary>
public sealed class OpenVpnInspector() : Inspector(new(AppLabel.OpenVpn, 0, [1194], InspectorPrecision.Signature, 260) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    // A client's reset holds at least its acknowledgement count and packet ID after the header.
    private const int MinimumReset = ControlHeader + 1 + PacketIdLength;
    // A reset is small: its header, tls-auth's HMAC or tls-crypt's tag, a few acknowledgements, and with tls-crypt-v2 the
    // client's wrapped key (at most 1 KiB with its metadata).
    private const int MaximumReset = 2048;
    // Scratch: the client's session ID in the low 60 bits (ties compare those), its reset's version in the next two, and
    // over UDP which side's first datagram was read (a later one is not the opening message). With the server's side
    // alone: its two session IDs folded into the low 56 bits, the index of its tls-auth wrapping in AuthLengths above
    // them, whether the server was taken for the client (the side heard first), the server reset's version, and ServerOpened.
    private const ulong SessionMask = (1UL << 60) - 1, PairMask = (1UL << 56) - 1, ClientOpened = 1UL << 63, ServerOpened = 1UL << 62,
        ServerTakenForClient = 1UL << 59;
    private const int VersionShift = 60, AuthShift = 56;
    // The detail of each version kept in the scratch word: the client's reset, or the server's when it was alone.
    private static readonly AppDetail[] ResetDetails = [null!, AppDetail.Word("reset-v1"), AppDetail.Word("reset-v2"), AppDetail.Word("reset-v3")];
    private static readonly AppDetail[] ServerResetDetails = [null!, AppDetail.Word("server-reset-v1"), AppDetail.Word("server-reset-v2")];
    // tls-crypt-v2's wrapped client key, appended to the client's V3 reset, ends with its own length: its tag (32), the
    // client's key (256), at least the metadata's type byte, and the length (2); at most 1,024 (TLS_CRYPT_V2_MAX_WKC_LEN).
    // Before it: the opcode and session ID, tls-crypt's replay ID and time (8) and its tag (32).
    private const int MinimumWrappedKey = 32 + 256 + 1 + 2, MaximumWrappedKey = 1024, TlsCryptHeader = ControlHeader + 8 + 32;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp && !MayOpenWithReset(data, input.FromClient)) return InspectResult.NoMatch;
        var found = Next(ref data, input.IsTcp, out var first);
        if (found != InspectResult.Match) return input.Settled(found);
        if ((first[0] & KeyIdMask) != 0) return InspectResult.NoMatch;
        // Nothing of the client's read: the server's side may be all there is, taken for the client when heard first.
        if ((input.Scratch & ClientOpened) == 0 && (IsReset(first[0], fromClient: false) || AfterServersReset(input)))
            return ServerAlone(ref input, first, data);
        if (!input.FromClient) return (input.Scratch & ClientOpened) != 0 ? Answer(ref input, first) : InspectResult.NoMatch;
        // A client's later datagram: its control message under the session ID of its reset claims the flow.
        if ((input.Scratch & ClientOpened) != 0 && !input.IsTcp)
            return RepeatsSession(first, input.Scratch) ? Claim(ref input) : InspectResult.NoMatch;
        if (!IsReset(first[0], fromClient: true) || first.Length < MinimumReset) return InspectResult.NoMatch;
        if (Opcode(first[0]) == ClientResetV3 && !CarriesWrappedKey(first)) return InspectResult.NoMatch;
        ulong session = Session(first, SessionOffset);
        ulong version = Opcode(first[0]) switch { ClientResetV1 => 1, ClientResetV2 => 2, _ => 3 };
        input.Scratch = input.Scratch & ServerOpened | ClientOpened | version << VersionShift | session;
        // A datagram is one message: the client's next one comes in a later call.
        if (!input.IsTcp) return input.Undecided;
        found = Next(ref data, true, out var second);
        if (found != InspectResult.Match) return input.Settled(found);
        return RepeatsSession(second, session) ? Claim(ref input) : InspectResult.NoMatch;
    }

    // The flow is OpenVPN: its detail names the client's reset, or the server's when only its side was read.
    private static InspectResult Claim(ref InspectionInput input)
    {
        var details = (input.Scratch & ClientOpened) != 0 ? ResetDetails : ServerResetDetails;
        input.Flow.AppDetail = details[input.Scratch >> VersionShift & 3];
        return InspectResult.Match;
    }

    // A V3 reset ends with tls-crypt-v2's wrapped key and its length. A QUIC short header's first byte may read as that
    // reset's opcode, and the connection ID after it as a session ID every packet repeats: the length tells them apart.
    private static bool CarriesWrappedKey(ReadOnlySpan<byte> reset)
    {
        if (reset.Length < TlsCryptHeader + MinimumWrappedKey) return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(reset[^2..]);
        return length is >= MinimumWrappedKey and <= MaximumWrappedKey && length <= reset.Length - TlsCryptHeader;
    }

    // The server's side with nothing of the client's before it: its reset (message packet ID 0, acknowledging the
    // client's reset and naming the client's session ID), then its next control or acknowledgement message naming the
    // same two session IDs. Over UDP the reset's are kept for the next datagram; tls-crypt hides what the reset
    // acknowledges, and such a side alone is not claimed.
    private static InspectResult ServerAlone(ref InspectionInput input, scoped ReadOnlySpan<byte> first, scoped ReadOnlySpan<byte> rest)
    {
        // The content names the server, whichever side the flow took it for.
        input.SentByClient = false;
        if (AfterServersReset(input))
        {
            if (SamePair(first, input.Scratch)) return Claim(ref input);
            // Its reset sent again (the client's acknowledgement of it lost) says nothing new.
            return IsReset(first[0], fromClient: false) && TryPair(first, reset: true, out _, out ulong again)
                && again == (input.Scratch & PairMask) ? input.Undecided : InspectResult.NoMatch;
        }
        if (!IsReset(first[0], fromClient: false) || !TryPair(first, reset: true, out int auth, out ulong pair)) return InspectResult.NoMatch;
        ulong version = Opcode(first[0]) == ServerResetV1 ? 1UL : 2UL;
        input.Scratch = ServerOpened | (input.FromClient ? ServerTakenForClient : 0) | version << VersionShift | (ulong)auth << AuthShift | pair;
        if (!input.IsTcp) return input.Undecided;
        var found = Next(ref rest, true, out var second);
        if (found != InspectResult.Match) return input.Settled(found);
        return SamePair(second, input.Scratch) ? Claim(ref input) : InspectResult.NoMatch;
    }

    // A datagram of the side whose reset was read, with nothing of the other side's read since.
    private static bool AfterServersReset(in InspectionInput input) =>
        !input.IsTcp && (input.Scratch & (ClientOpened | ServerOpened)) == ServerOpened
        && (input.Scratch & ServerTakenForClient) != 0 == input.FromClient;

    // A later control or acknowledgement message of the server's naming the pair its reset named, wrapped as it was.
    private static bool SamePair(ReadOnlySpan<byte> message, ulong scratch) =>
        (message[0] & KeyIdMask) == 0 && Opcode(message[0]) is Control or Ack
        && TryPairAt(message, (int)(scratch >> AuthShift & 7), reset: false, out ulong pair) && pair == (scratch & PairMask);

    // The sender's and the acknowledged peer's session IDs of a message, folded, behind the first tls-auth wrapping that
    // reads as acknowledgements (a reset's then followed by message packet ID 0); false when none does.
    private static bool TryPair(ReadOnlySpan<byte> message, bool reset, out int auth, out ulong pair)
    {
        for (auth = 0; auth < AuthLengths.Length; auth++)
            if (TryPairAt(message, auth, reset, out pair)) return true;
        pair = 0;
        return false;
    }

    private static bool TryPairAt(ReadOnlySpan<byte> message, int auth, bool reset, out ulong pair)
    {
        pair = 0;
        int remote = PeerSessionAt(message, AuthLengths[auth]), id = remote + SessionLength;
        if (remote < 0) return false;
        if (reset && (id + PacketIdLength > message.Length || BinaryPrimitives.ReadUInt32BigEndian(message[id..]) != 0)) return false;
        pair = (BinaryPrimitives.ReadUInt64BigEndian(message[SessionOffset..]) ^ BinaryPrimitives.ReadUInt64BigEndian(message[remote..])) & PairMask;
        return true;
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
        if (length < ControlHeader || length > MaximumReset) return false;
        // Either side may open with the server's reset: a capture of its side alone takes it for the client.
        return stream.Length == TcpLengthPrefix || IsReset(stream[TcpLengthPrefix], fromClient) || IsReset(stream[TcpLengthPrefix], fromClient: false);
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
            int remote = PeerSessionAt(reset, auth);
            if (remote >= 0 && Session(reset, remote) == clientSession) return true;
        }
        return false;
    }
}
