using System.Buffers.Binary;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using static PortAudit.Inspect.Protocols.OpenVpnPacket;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Reads the TLS an OpenVPN server speaks inside its control channel (OpenVPN's protocol overview, ssl_pkt.h): the
/// payloads of its P_CONTROL_V1 packets, in the order of their message packet IDs (its hard reset is 0, the first
/// control packet 1), make a TLS stream whose ServerHello and leaf certificate are judged as on a TLS port
/// (<see cref="StartTls.ReadServerHello"/>: <c>reset-v2; version=tls1.0; cert=sha1</c> and their weaknesses). A packet
/// goes on after its session ID with tls-auth's HMAC and replay ID when there are any, its acknowledgements, the peer's
/// session ID when it acknowledges, and its message packet ID: the HMAC's length is taken from the first control packet,
/// the one where a TLS handshake record starts right after packet ID 1. A retransmitted packet is passed over, one past a
/// gap ends the reading (UDP's reordering is not undone); tls-crypt encrypts the channel, and nothing is read of it. The
/// client's side is dropped. At most <see cref="TlsHandshakeMessage.MaxLength"/> bytes of TLS are gathered, in a buffer
/// made at the first payload; a first control packet that opens no TLS (tls-crypt's) ends the reading.
/// </summary>
public sealed class OpenVpnControlFollower : IFlowFollower
{
    private const int Unknown = -1;
    private const byte Handshake = 22, TlsMajor = 3;
    private byte[]? _tls;
    private int _gathered;
    private int _auth = Unknown;
    private uint _next = 1;
    private bool _done;

    private OpenVpnControlFollower()
    {
    }

    /// <summary>A follower for <paramref name="flow"/> when inspection named it OpenVPN, else null.</summary>
    public static IFlowFollower? For(Flow flow) => flow.App == AppLabel.OpenVpn ? new OpenVpnControlFollower() : null;

    /// <inheritdoc />
    public bool Finished => _done;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        if (fromClient || _done)
        {
            stream.Skip(long.MaxValue);
            return;
        }
        var data = stream.Data;
        int before = data.Length;
        while (!_done && Next(ref data, tcp: true, out var packet) == InspectResult.Match) OnPacket(flow, packet);
        // A length no packet has: the stream is no control channel to read on.
        if (!_done && data.Length >= TcpLengthPrefix && Next(ref data, tcp: true, out _) == InspectResult.NoMatch) _done = true;
        stream.Skip(before - data.Length);
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
        if (!fromClient && !_done && Next(ref datagram, tcp: false, out var packet) == InspectResult.Match) OnPacket(flow, packet);
    }

    /// <inheritdoc />
    public void OnBroken(Flow flow, bool fromClient, string why)
    {
        if (!fromClient) _done = true;
    }

    // One packet of the server's: a control packet's payload, the next in order, goes on the TLS stream.
    private void OnPacket(Flow flow, ReadOnlySpan<byte> packet)
    {
        if (Opcode(packet[0]) != Control || (packet[0] & KeyIdMask) != 0) return;
        if (!TryPayload(packet, out uint id, out var payload))
        {
            // No wrapping makes the first control packet a TLS record: an encrypted channel, or none this reads.
            _done = _auth == Unknown;
            return;
        }
        if (id < _next) return;
        if (id > _next)
        {
            // A packet came before one it follows: the stream has a hole here.
            _done = true;
            return;
        }
        _next++;
        _tls ??= new byte[TlsHandshakeMessage.MaxLength];
        int room = _tls.Length - _gathered;
        payload[..Math.Min(room, payload.Length)].CopyTo(_tls.AsSpan(_gathered));
        _gathered += Math.Min(room, payload.Length);
        bool full = _gathered == _tls.Length;
        // Read as the last look each time, so that a leaf begun is said unread (cert=unread) until the rest of it comes,
        // should the flow end first: followers are shown no end.
        var state = StartTls.ReadServerHello(flow, _tls.AsSpan(0, _gathered), last: true);
        _done = full || state == TlsHandshakeMessage.State.Complete && flow.AppDetail?.Find(DetailKeys.Certificate) != TlsCertificateFlaws.Unread;
    }

    // The message packet ID and payload of a control packet, after whichever tls-auth wrapping the channel has: found
    // with the first control packet, whose payload opens with a TLS handshake record.
    private bool TryPayload(ReadOnlySpan<byte> packet, out uint id, out ReadOnlySpan<byte> payload)
    {
        if (_auth != Unknown) return TryPayloadAt(packet, _auth, out id, out payload);
        foreach (byte auth in AuthLengths)
        {
            if (TryPayloadAt(packet, auth, out id, out payload) && id == 1 && payload.Length >= 3 && payload[0] == Handshake && payload[1] == TlsMajor)
            {
                _auth = auth;
                return true;
            }
        }
        id = 0;
        payload = default;
        return false;
    }

    private static bool TryPayloadAt(ReadOnlySpan<byte> packet, int auth, out uint id, out ReadOnlySpan<byte> payload)
    {
        id = 0;
        payload = default;
        int at = AfterAcks(packet, auth, out int acks);
        if (at < 0) return false;
        // The peer's session ID when the packet acknowledges any.
        at += acks > 0 ? SessionLength : 0;
        if (at + PacketIdLength > packet.Length) return false;
        id = BinaryPrimitives.ReadUInt32BigEndian(packet[at..]);
        payload = packet[(at + PacketIdLength)..];
        return true;
    }
}
