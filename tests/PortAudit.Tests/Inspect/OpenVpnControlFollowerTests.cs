using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// The TLS inside OpenVPN's control channel over TCP, through the engine: the server's P_CONTROL_V1 payloads, in message
/// packet ID order, bare or after tls-auth's HMAC and replay ID, give the version it chose and its leaf (RSA 1024 here,
/// <c>cert=rsa1024</c>); a retransmitted packet is passed over; a packet past a gap ends the reading; payloads that no
/// HMAC length makes a TLS record (tls-crypt encrypts them) say nothing. base.pcap's servers, read by tshark and
/// openssl, are in TlsServerHelloTsharkTests and ServerCertificateTsharkTests; openvpn's own in OpenVpnLabTests.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class OpenVpnControlFollowerTests
{
    // The opcodes in a packet's first byte (key id 0), and each side's session ID.
    private const byte ClientReset = 7 << 3, ServerReset = 8 << 3, Control = 4 << 3;
    private static readonly byte[] ClientSession = [1, 2, 3, 4, 5, 6, 7, 8], ServerSession = [9, 10, 11, 12, 13, 14, 15, 16];
    private const string Client = "192.0.2.40", Server = "198.51.100.40";

    [Theory]
    [InlineData(0)]
    // tls-auth with SHA-1: a 20-byte HMAC and the 8-byte replay ID.
    [InlineData(28)]
    public void The_servers_hello_and_leaf_across_control_packets_are_read_bare_or_under_tls_auth(int auth)
    {
        var tls = ServerTls();
        int half = tls.Length / 2;
        var flow = Tunnel(auth, (1, tls[..half]), (1, tls[..half]), (2, tls[half..]));
        Assert.Equal(("reset-v2; version=tls1.0; cert=rsa1024", FlowWeakness.TlsDeprecated | FlowWeakness.TlsWeakCertificate),
            (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void A_packet_past_a_gap_ends_the_reading_and_the_leaf_begun_is_unread()
    {
        var tls = ServerTls();
        int third = tls.Length / 3;
        var flow = Tunnel(0, (1, tls[..third]), (3, tls[(2 * third)..]));
        Assert.Equal(("reset-v2; version=tls1.0; cert=unread", FlowWeakness.TlsDeprecated), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void Payloads_that_are_no_tls_record_say_nothing()
    {
        var flow = Tunnel(0, (1, [0x5A, 0x17, 0x03, 0x03, 0x00, 0x10, .. new byte[16]]));
        Assert.Equal(("reset-v2", FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void The_servers_side_alone_is_read_from_the_datagram_that_named_it_once_the_flow_is_turned()
    {
        // Only the server's datagrams, heard first on a port that names no side (base.pcap's 69.197.143.179 over UDP, the
        // lab's 3478): the flow takes the server for the client until its reset and next control packet name it. That
        // packet, the first the follower reads, came from the server: read as the client's, the hello in it was dropped.
        byte[] acknowledging = [1, 0, 0, 0, 0, .. ClientSession];
        var capture = new ScenarioCapture("openvpn-server-alone", 1_700_000_000).UdpTurns(Client, Server, 3478, 1,
            (false, [ServerReset, .. ServerSession, .. acknowledging, 0, 0, 0, 0]),
            (false, [Control, .. ServerSession, .. acknowledging, 0, 0, 0, 1, .. ServerTls()]));
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.OpenVpn, "server-reset-v2; version=tls1.0; cert=rsa1024", Server, (ushort)3478, 0L),
            (flow.App, flow.AppDetail?.ToString(), flow.Server.ToString(), flow.ServerPort, flow.PacketsToServer));
    }

    // The client's and server's resets (the server's acknowledging the client's), the client's hello, then the server's
    // control packets with their message packet IDs and payloads, each after its 16-bit length; the one flow.
    private static Flow Tunnel(int auth, params (uint Id, byte[] Payload)[] server)
    {
        byte[] wrap = new byte[auth];
        List<SessionMessage> messages =
        [
            new(0.01, true, Framed([ClientReset, .. ClientSession, .. wrap, 0, 0, 0, 0, 0])),
            new(0.02, false, Framed([ServerReset, .. ServerSession, .. wrap, 1, 0, 0, 0, 0, .. ClientSession, 0, 0, 0, 0])),
            new(0.03, true, Framed([Control, .. ClientSession, .. wrap, 0, 0, 0, 0, 1, .. TlsInspectorTests.ClientHello("vpn.example")])),
        ];
        foreach (var (id, payload) in server)
            messages.Add(new(0.04 + messages.Count * 0.01, false,
                Framed([Control, .. ServerSession, .. wrap, 0, (byte)(id >> 24), (byte)(id >> 16), (byte)(id >> 8), (byte)id, .. payload])));
        var capture = new ScenarioCapture("openvpn-control", 1_700_000_000).TcpSession(Client, Server, 1194, 1, messages);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal(AppLabel.OpenVpn, flow.App);
        return flow;
    }

    private static byte[] Framed(byte[] packet) => [(byte)(packet.Length >> 8), (byte)packet.Length, .. packet];

    // The server's ServerHello choosing TLS 1.0, then its Certificate, each in a TLS record.
    private static byte[] ServerTls()
    {
        var hello = TlsInspectorTests.ServerHelloBody("0301", "");
        var certificate = DtlsServerCertificateTests.CertificateBody("CN=vpn.example");
        return [.. Record([2, .. DtlsServerCertificateTests.Be24(hello.Length), .. hello]),
            .. Record([11, .. DtlsServerCertificateTests.Be24(certificate.Length), .. certificate])];
    }

    private static byte[] Record(byte[] message) => [22, 3, 1, (byte)(message.Length >> 8), (byte)message.Length, .. message];
}
