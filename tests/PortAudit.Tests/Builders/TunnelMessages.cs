using System.Buffers.Binary;
using System.Text;

namespace PortAudit.Tests.Builders;

/// <summary>
/// Messages of the tunnels and proxies inspection names on any port, written from their specifications: WireGuard's
/// transport data (its whitepaper, 5.4.6), OpenVPN's control and data channels (its protocol overview) and SOCKS 5 (RFC 1928,
/// RFC 1929); the lab tests check the inspectors against the real programs.
/// </summary>
public static class TunnelMessages
{
    /// <summary>WireGuard transport data: type 4, three zero bytes, the receiver's index, the sender's counter, then the sealed packet (random bytes here).</summary>
    public static byte[] WireGuardTransport(uint receiver, ulong counter, int length = 80)
    {
        var message = new byte[length];
        message[0] = 4;
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), receiver);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), counter);
        new Random((int)counter).NextBytes(message.AsSpan(16));
        return message;
    }

    /// <summary>
    /// An OpenVPN control message: opcode and key id, the sender's session ID, [tls-auth: an HMAC and replay ID of
    /// <paramref name="auth"/> bytes], the acknowledged packet IDs with the peer's session ID when there are any, the
    /// message's packet ID, then <paramref name="payload"/> bytes.
    /// </summary>
    public static byte[] OpenVpn(int opcode, ulong session, ulong? acknowledged = null, int auth = 0, int payload = 0, int keyId = 0)
    {
        var bytes = new List<byte> { (byte)(opcode << 3 | keyId) };
        bytes.AddRange(BigEndian(session));
        bytes.AddRange(Enumerable.Repeat((byte)0xA5, auth));
        bytes.Add(acknowledged is null ? (byte)0 : (byte)1);
        if (acknowledged is { } peer) bytes.AddRange([0, 0, 0, 0, .. BigEndian(peer)]);
        bytes.AddRange(new byte[4]);
        bytes.AddRange(Enumerable.Range(0, payload).Select(i => (byte)(i * 7)));
        return [.. bytes];
    }

    /// <summary>
    /// The client's V3 hard reset (tls-crypt-v2) as openvpn 2.6 sends it: opcode 10, the session ID, tls-crypt's replay
    /// ID and time and its 32-byte tag, the sealed rest (random bytes here), then the wrapped client key, whose last two
    /// bytes are its length (299 bytes, as Debian's openvpn 2.6 wraps a key with its metadata's time).
    /// </summary>
    public static byte[] OpenVpnTlsCryptV2Reset(ulong session, int wrappedKey = 299)
    {
        var reset = new byte[1 + 8 + 8 + 32 + 5 + wrappedKey];
        reset[0] = 10 << 3;
        BinaryPrimitives.WriteUInt64BigEndian(reset.AsSpan(1), session);
        new Random((int)session).NextBytes(reset.AsSpan(9, reset.Length - 11));
        BinaryPrimitives.WriteUInt16BigEndian(reset.AsSpan(reset.Length - 2), (ushort)wrappedKey);
        return reset;
    }

    /// <summary>
    /// A QUIC packet with a short header (RFC 9000, 17.3.1): <paramref name="first"/> (the fixed bit 0x40, the rest
    /// protected, so any value), an 8-byte destination connection ID, then the protected packet number and payload
    /// (random bytes here).
    /// </summary>
    public static byte[] QuicShortHeader(byte first, ulong connectionId, int seed, int length = 60)
    {
        var packet = new byte[length];
        packet[0] = first;
        BinaryPrimitives.WriteUInt64BigEndian(packet.AsSpan(1), connectionId);
        new Random(seed).NextBytes(packet.AsSpan(9));
        return packet;
    }

    /// <summary>
    /// An OpenVPN data packet under an AEAD cipher: P_DATA_V2 (opcode 9, key id, 3-byte peer ID) or, with no
    /// <paramref name="peer"/>, P_DATA_V1 (opcode 6, key id); the packet ID; then the tag and the encrypted payload
    /// (random bytes here), 40 bytes in all for V2 as a keepalive ping is.
    /// </summary>
    public static byte[] OpenVpnData(uint packetId, uint? peer = 0x7240C8, int keyId = 0, int length = 40)
    {
        int header = peer is null ? 1 : 4;
        var packet = new byte[length];
        packet[0] = (byte)((peer is null ? 6 : 9) << 3 | keyId);
        if (peer is { } id) { packet[1] = (byte)(id >> 16); packet[2] = (byte)(id >> 8); packet[3] = (byte)id; }
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(header), packetId);
        new Random((int)packetId).NextBytes(packet.AsSpan(header + 4));
        return packet;
    }

    /// <summary>OpenVPN messages as TCP carries them: each after its 16-bit length.</summary>
    public static byte[] OverTcp(params byte[][] messages) =>
        [.. messages.SelectMany(m => new byte[] { (byte)(m.Length >> 8), (byte)m.Length }.Concat(m))];

    /// <summary>A SOCKS 5 greeting offering no authentication and a username and password.</summary>
    public static readonly byte[] SocksGreeting = [5, 2, 0, 2];

    /// <summary>The SOCKS 5 server's choice of <paramref name="method"/>.</summary>
    public static byte[] SocksChoice(byte method) => [5, method];

    /// <summary>A SOCKS 5 request to connect to <paramref name="host"/> by name.</summary>
    public static byte[] SocksConnect(string host, ushort port) =>
        [5, 1, 0, 3, (byte)host.Length, .. Encoding.ASCII.GetBytes(host), (byte)(port >> 8), (byte)port];

    /// <summary>The SOCKS 5 server's reply: succeeded, bound at 10.0.0.1:40000.</summary>
    public static readonly byte[] SocksSucceeded = [5, 0, 0, 1, 10, 0, 0, 1, 0x9c, 0x40];

    /// <summary>An 8-byte field in network order (an OpenVPN session ID).</summary>
    public static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
