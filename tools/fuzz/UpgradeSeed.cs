using static PortAudit.Fuzz.PcapSeed;

namespace PortAudit.Fuzz;

/// <summary>
/// A pcap seed of TLS that begins inside another protocol's TCP flow, which no small capture of ../shared holds: SMTP's
/// STARTTLS, XMPP's &lt;proceed/&gt; and OpenVPN's control channel, each with the server's ServerHello and the start of a
/// Certificate message after it, and the same OpenVPN server's side alone over UDP, heard first (the flow turned by its
/// reset and control packet). From its bytes afl reaches the readers that follow those flows (StartTls,
/// ServerCertificateFollower, OpenVpnControlFollower), which a mutation of a plain capture rarely builds.
/// </summary>
public static class UpgradeSeed
{
    // A ServerHello choosing TLS 1.2 and TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, then a Certificate message whose one
    // entry (256 bytes declared) is cut short after its first 4, each in a handshake record.
    private static readonly byte[] ServerTls =
    [
        22, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3, .. new byte[32], 0, 0xC0, 0x2F, 0,
        22, 3, 3, 0, 14, 11, 0, 1, 6, 0, 1, 3, 0, 1, 0, 0x30, 0x82, 0x01, 0x00,
    ];

    private static readonly byte[] ClientHello = [22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0];

    /// <summary>The seed: the four flows, one after the other.</summary>
    public static FuzzSeed Capture()
    {
        var frames = new List<byte[]>();
        Session(frames, 25,
            (false, Ascii("220 mx.example ESMTP\r\n")), (true, Ascii("EHLO a.example\r\nSTARTTLS\r\n")),
            (false, Ascii("250 STARTTLS\r\n220 Ready to start TLS\r\n")), (true, ClientHello), (false, ServerTls));
        const string Stream = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
        Session(frames, 5269,
            (true, Ascii(Stream + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")),
            (false, Ascii(Stream + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")),
            (true, ClientHello), (false, ServerTls));
        byte[] client = [1, 2, 3, 4, 5, 6, 7, 8], server = [9, 10, 11, 12, 13, 14, 15, 16];
        Session(frames, 1194,
            (true, Framed([7 << 3, .. client, 0, 0, 0, 0, 0])),
            (false, Framed([8 << 3, .. server, 1, 0, 0, 0, 0, .. client, 0, 0, 0, 0])),
            (true, Framed([4 << 3, .. client, 0, 0, 0, 0, 1, .. ClientHello])),
            (false, Framed([4 << 3, .. server, 0, 0, 0, 0, 1, .. ServerTls])));
        byte[] acknowledging = [1, 0, 0, 0, 0, .. client];
        frames.Add(ServerDatagram(3478, [8 << 3, .. server, .. acknowledging, 0, 0, 0, 0]));
        frames.Add(ServerDatagram(3478, [4 << 3, .. server, .. acknowledging, 0, 0, 0, 1, .. ServerTls]));
        return new FuzzSeed("upgrades.pcap", PcapSeed.Capture(frames));
    }

    // A TCP connection from 192.0.2.1 to the port on 192.0.2.2: the handshake, then each message in one segment.
    private static void Session(List<byte[]> frames, ushort port, params (bool FromClient, byte[] Data)[] messages)
    {
        ushort clientPort = (ushort)(40000 + port);
        uint c = 1000, s = 5000;
        frames.Add(Segment(clientPort, port, c - 1, 0, 0x02, [], true));
        frames.Add(Segment(port, clientPort, s - 1, c, 0x12, [], false));
        frames.Add(Segment(clientPort, port, c, s, 0x10, [], true));
        foreach (var (fromClient, data) in messages)
        {
            frames.Add(fromClient ? Segment(clientPort, port, c, s, 0x18, data, true) : Segment(port, clientPort, s, c, 0x18, data, false));
            if (fromClient) c += (uint)data.Length;
            else s += (uint)data.Length;
        }
    }

    private static byte[] Segment(ushort source, ushort destination, uint sequence, uint acknowledgment, byte flags, byte[] payload, bool fromClient) =>
        Ethernet(Ipv4(6,
        [
            (byte)(source >> 8), (byte)source, (byte)(destination >> 8), (byte)destination,
            (byte)(sequence >> 24), (byte)(sequence >> 16), (byte)(sequence >> 8), (byte)sequence,
            (byte)(acknowledgment >> 24), (byte)(acknowledgment >> 16), (byte)(acknowledgment >> 8), (byte)acknowledgment,
            0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0, .. payload,
        ], fromClient));

    // A UDP datagram from the port on 192.0.2.2 to 192.0.2.1.
    private static byte[] ServerDatagram(ushort port, byte[] payload) => Ethernet(Udp(port, (ushort)(40000 + port), payload, fromClient: false));

    // An OpenVPN packet over TCP, after its 16-bit length.
    private static byte[] Framed(byte[] packet) => [(byte)(packet.Length >> 8), (byte)packet.Length, .. packet];

    private static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);
}
