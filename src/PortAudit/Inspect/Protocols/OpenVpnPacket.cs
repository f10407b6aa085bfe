using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// OpenVPN's packet framing (its protocol overview, ssl_pkt.h), read by the control-channel inspector
/// (<see cref="OpenVpnInspector"/>) and the data-channel one (<see cref="OpenVpnDataInspector"/>): every packet begins
/// with its opcode (high five bits) and key id (low three); a control packet goes on with the sender's 8-byte session
/// ID; over TCP each packet comes after its 16-bit length, over UDP it is the whole datagram.
/// </summary>
internal static class OpenVpnPacket
{
    /// <summary>Opcodes: the hard resets of client and server (V1, V2, V3), soft reset, control, acknowledgement, data.</summary>
    public const byte ClientResetV1 = 1, ServerResetV1 = 2, SoftReset = 3, Control = 4, Ack = 5, DataV1 = 6, ClientResetV2 = 7,
        ServerResetV2 = 8, DataV2 = 9, ClientResetV3 = 10, ControlWrappedKey = 11;

    /// <summary>The key id's bits of a packet's first byte.</summary>
    public const int KeyIdMask = 0x07;

    /// <summary>A control packet's header: the first byte, then the sender's session ID at 1.</summary>
    public const int SessionOffset = 1, SessionLength = 8, ControlHeader = SessionOffset + SessionLength;

    /// <summary>The length before each packet over TCP.</summary>
    public const int TcpLengthPrefix = 2;

    /// <summary>
    /// What tls-auth puts between a control packet's session ID and its acknowledgements: an HMAC (MD5 16, SHA-1 20,
    /// SHA-256 32, SHA-384 48, SHA-512 64 bytes) and an 8-byte replay ID, or nothing without it. Which one a channel
    /// uses is not said: readers try each.
    /// </summary>
    public static ReadOnlySpan<byte> AuthLengths => [0, 16 + 8, 20 + 8, 32 + 8, 48 + 8, 64 + 8];

    /// <summary>A packet ID's length: a control packet's own, and each it acknowledges.</summary>
    public const int PacketIdLength = 4;

    // The most acknowledgements a control packet carries.
    private const int MaxAcks = 8;

    /// <summary>
    /// Where a control packet goes on after its acknowledgements, read past <paramref name="auth"/> bytes of tls-auth
    /// wrapping: the peer's session ID when <paramref name="acks"/> is above 0, then the message packet ID. -1 when the
    /// wrapping leaves no count, or the count is past <see cref="MaxAcks"/>. The offset may lie past the packet.
    /// </summary>
    public static int AfterAcks(ReadOnlySpan<byte> packet, int auth, out int acks)
    {
        int at = ControlHeader + auth;
        acks = at < packet.Length ? packet[at] : 0;
        return at < packet.Length && acks <= MaxAcks ? at + 1 + acks * PacketIdLength : -1;
    }

    /// <summary>
    /// Where the peer's session ID starts in a control packet that acknowledges any, read past <paramref name="auth"/>
    /// bytes of tls-auth wrapping; -1 when it acknowledges nothing or ends before the ID does.
    /// </summary>
    public static int PeerSessionAt(ReadOnlySpan<byte> packet, int auth)
    {
        int at = AfterAcks(packet, auth, out int acks);
        return at >= 0 && acks > 0 && at + SessionLength <= packet.Length ? at : -1;
    }

    // A control packet carries at most OpenVPN's tls-mtu of TLS bytes (1250 by default), a data packet a tunnel MTU's
    // worth: 16 KiB leaves room for any setting.
    private const int MaximumPacket = 1 << 14;
    private const int OpcodeShift = 3;

    /// <summary>The opcode of a packet that begins with <paramref name="first"/>.</summary>
    public static int Opcode(byte first) => first >> OpcodeShift;

    /// <summary>True for an opcode of the control channel that follows the handshake: soft reset, control, acknowledgement.</summary>
    public static bool IsLaterControl(int opcode) => opcode is SoftReset or Control or Ack;

    /// <summary>
    /// The next packet of a direction's bytes, which are then past it: over TCP its length-prefixed frame
    /// (<see cref="InspectResult.NeedMore"/> while it is incomplete, <see cref="InspectResult.NoMatch"/> for a length no
    /// packet has), over UDP the whole datagram.
    /// </summary>
    public static InspectResult Next(ref ReadOnlySpan<byte> data, bool tcp, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        if (!tcp)
        {
            if (data.Length < ControlHeader || data.Length > MaximumPacket) return InspectResult.NoMatch;
            packet = data;
            data = default;
            return InspectResult.Match;
        }
        if (data.Length < TcpLengthPrefix) return InspectResult.NeedMore;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (length < ControlHeader || length > MaximumPacket) return InspectResult.NoMatch;
        if (data.Length < TcpLengthPrefix + length) return InspectResult.NeedMore;
        packet = data.Slice(TcpLengthPrefix, length);
        data = data[(TcpLengthPrefix + length)..];
        return InspectResult.Match;
    }
}
