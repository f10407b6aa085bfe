using PortAudit.Audit;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// OpenVPN's control channel, the tunnel most often run over TCP 443: named by the client's session ID tied across two
/// messages, on any port, so that it contradicts the rule of the port it crosses; and its data channel over UDP, named
/// without the handshake by each side's packets counting up.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class OpenVpnInspectorTests
{
    private const ulong ClientSession = 0xB18F_2C54_0D3E_A711, ServerSession = 0x5D26_91F0_77AB_C302;

    private static byte[] Message(int opcode, ulong session, ulong? acknowledged = null, int auth = 0, int payload = 0, int keyId = 0) =>
        TunnelMessages.OpenVpn(opcode, session, acknowledged, auth, payload, keyId);

    private static byte[] Framed(params byte[][] messages) => TunnelMessages.OverTcp(messages);

    private static byte[] ClientReset(int opcode = 7) =>
        opcode == 10 ? TunnelMessages.OpenVpnTlsCryptV2Reset(ClientSession) : Message(opcode, ClientSession);
    private static byte[] ServerReset(int auth = 0) => Message(8, ServerSession, ClientSession, auth);
    private static byte[] ClientControl(ulong session = ClientSession) => Message(4, session, ServerSession, payload: 120);
    private static byte[] ServerControl(ulong acknowledged = ClientSession, int auth = 0) => Message(4, ServerSession, acknowledged, auth, payload: 120);

    private static (InspectResult Result, string? Detail) OpenVpn(bool tcp, params (bool FromClient, byte[] Data)[] turns) =>
        Converse(new OpenVpnInspector(), tcp, 443, turns);

    [Fact]
    public void TheServersResetAcknowledgingTheClientsSessionClaimsTheFlow()
    {
        Assert.Equal((InspectResult.Match, "reset-v2"), OpenVpn(true, (true, Framed(ClientReset())), (false, Framed(ServerReset()))));
        Assert.Equal((InspectResult.Match, "reset-v2"), OpenVpn(false, (true, ClientReset()), (false, ServerReset())));
        // Behind tls-auth's HMAC (SHA-1 here, SHA-512 below) and replay ID.
        Assert.Equal(InspectResult.Match, OpenVpn(false, (true, ClientReset()), (false, ServerReset(auth: 28))).Result);
        Assert.Equal(InspectResult.Match, OpenVpn(true, (true, Framed(ClientReset(1))), (false, Framed(ServerReset(auth: 72)))).Result);
        // The reset alone says too little.
        Assert.Equal((InspectResult.NeedMore, null), OpenVpn(true, (true, Framed(ClientReset()))));
    }

    [Fact]
    public void TheClientsNextMessageUnderItsSessionClaimsTheFlowWhenTlsCryptHidesTheAcknowledgement()
    {
        // tls-crypt seals everything after the server's session ID (and replay ID): nothing in its reset names the client.
        byte[] sealedReset = [8 << 3, .. TunnelMessages.BigEndian(ServerSession), .. new byte[8], .. Enumerable.Repeat((byte)0x3C, 60)];
        Assert.Equal((InspectResult.NeedMore, null), OpenVpn(true, (true, Framed(ClientReset(10))), (false, Framed(sealedReset))));
        Assert.Equal((InspectResult.Match, "reset-v3"),
            OpenVpn(true, (true, Framed(ClientReset(10))), (false, Framed(sealedReset)), (true, Framed(ClientReset(10), ClientControl()))));
        Assert.Equal((InspectResult.Match, "reset-v2"),
            OpenVpn(false, (true, ClientReset()), (false, sealedReset), (true, Message(5, ClientSession, ServerSession))));
    }

    [Fact]
    public void WhatOnlyLooksLikeOpenVpnIsNotClaimed()
    {
        // Another session, a reset sent again (a retransmission of any protocol repeats its bytes), a key id not 0; a flow
        // not claimed keeps no detail.
        Assert.Equal((InspectResult.NoMatch, null), OpenVpn(true, (true, Framed(ClientReset(), ClientControl(ClientSession + 1)))));
        Assert.Equal((InspectResult.NoMatch, null), OpenVpn(false, (true, ClientReset()), (true, ClientReset())));
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, Message(7, ClientSession, keyId: 1))).Result);
        // A server's reset acknowledging another session; a server whose first message is no reset.
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, ClientReset()), (false, Message(8, ServerSession, ClientSession + 1)), (true, ClientReset())).Result);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, ClientReset()), (false, ClientControl())).Result);
        // A client that does not open with a reset, a frame length no message has, a datagram shorter than a header.
        Assert.Equal(InspectResult.NoMatch, OpenVpn(true, (true, Framed(ClientControl()))).Result);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(true, (true, [0x00, 0x03, .. ClientReset()])).Result);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, ClientReset()[..8])).Result);
        // SIP's PUBLISH begins with 'P' (0x50, opcode 10, key id 0), and a retransmitted one repeats its next bytes.
        byte[] publish = "PUBLISH sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n\r\n"u8.ToArray();
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, publish), (true, publish)).Result);
        // Cut anywhere, a stream is waited for and then given up at the inspection's limit.
        var cut = Framed(ClientReset(), ClientControl());
        for (int length = 1; length < cut.Length; length++)
            Assert.NotEqual(InspectResult.Match, OpenVpn(true, (true, cut[..length])).Result);
    }

    [Fact]
    public void TheServersSideAloneIsClaimedByItsResetAndNextMessageNamingTheSameTwoSessions()
    {
        // base.pcap's 69.197.143.179:443 over UDP: only the server's datagrams were captured, its reset then its control
        // messages carrying the TLS handshake, each acknowledging the client's packets under the client's session ID.
        Assert.Equal((InspectResult.NeedMore, null), OpenVpn(false, (false, ServerReset())));
        Assert.Equal((InspectResult.Match, "server-reset-v2"), OpenVpn(false, (false, ServerReset()), (false, ServerControl())));
        Assert.Equal((InspectResult.Match, "server-reset-v2"), OpenVpn(true, (false, Framed(ServerReset(), ServerControl()))));
        // Behind tls-auth; a V1 reset; an acknowledgement instead of a control message; the reset sent again first.
        Assert.Equal((InspectResult.Match, "server-reset-v2"), OpenVpn(false, (false, ServerReset(auth: 28)), (false, ServerControl(auth: 28))));
        Assert.Equal((InspectResult.Match, "server-reset-v1"),
            OpenVpn(false, (false, Message(2, ServerSession, ClientSession)), (false, ServerControl())));
        Assert.Equal(InspectResult.Match, OpenVpn(false, (false, ServerReset()), (false, Message(5, ServerSession, ClientSession))).Result);
        Assert.Equal(InspectResult.Match, OpenVpn(false, (false, ServerReset()), (false, ServerReset()), (false, ServerControl())).Result);
        // Heard first, the server's side is taken for the client's (UDP 3478 in OpenVpnLabTests): the same ties hold.
        Assert.Equal((InspectResult.Match, "server-reset-v2"), OpenVpn(false, (true, ServerReset()), (true, ServerControl())));
        Assert.Equal((InspectResult.Match, "server-reset-v2"), OpenVpn(true, (true, Framed(ServerReset(), ServerControl()))));
        // A client heard later still ties its own way.
        Assert.Equal((InspectResult.Match, "reset-v2"),
            OpenVpn(false, (false, ServerReset()), (true, ClientReset()), (true, Message(5, ClientSession, ServerSession))));
    }

    [Fact]
    public void TheServersSideAloneNeedsBothSessionsTiedAndItsResetFirst()
    {
        // A message acknowledging another client's session, or under another wrapping; a reset whose packet ID is not 0
        // (not the first message of its channel); a first message that is no reset; a reset that acknowledges nothing.
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (false, ServerReset()), (false, ServerControl(ClientSession + 1))).Result);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (false, ServerReset()), (false, ServerControl(auth: 28))).Result);
        byte[] laterReset = ServerReset();
        laterReset[^1] = 1;
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (false, laterReset), (false, ServerControl())).Result);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (false, ServerControl()), (false, ServerControl())).Result);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(true, (false, Framed(Message(8, ServerSession), ServerControl()))).Result);
        // tls-crypt seals what the reset acknowledges: a server's side alone under it is not claimed.
        byte[] sealedReset = [8 << 3, .. TunnelMessages.BigEndian(ServerSession), .. new byte[8], .. Enumerable.Repeat((byte)0x3C, 60)];
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (false, sealedReset), (false, sealedReset)).Result);
    }

    [Fact]
    public void QuicShortHeadersThatReadAsOpenVpnOpcodesAreNotClaimed()
    {
        // A QUIC packet's first byte is 0x40 and five protected bits: 0x50 reads as a V3 reset, 0x58 as a control message
        // with a wrapped key and 0x40 as a server's V2 reset, each with key id 0, and the 8-byte connection ID after it
        // repeats like a session ID. A midstream QUIC flow whose packets began so was named OpenVPN (reset-v3).
        const ulong connectionId = 0x9E5A_11C3_02F4_7B60;
        byte[] Quic(byte first, int seed) => TunnelMessages.QuicShortHeader(first, connectionId, seed);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, Quic(0x50, 1)), (true, Quic(0x58, 2))).Result);
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (false, Quic(0x40, 3)), (false, Quic(0x58, 4)), (false, Quic(0x40, 5))).Result);
        // A V3 reset whose last two bytes give no wrapped key's length, or one longer than the packet holds.
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, TunnelMessages.OpenVpnTlsCryptV2Reset(ClientSession, wrappedKey: 1100))).Result);
        byte[] cut = TunnelMessages.OpenVpnTlsCryptV2Reset(ClientSession);
        cut[^2] = 0x02;
        Assert.Equal(InspectResult.NoMatch, OpenVpn(false, (true, cut)).Result);
        Assert.Equal((InspectResult.NeedMore, null), OpenVpn(false, (true, ClientReset(10))));
    }

    [Fact]
    public void AtTheEdgeOpenVpnOnItsTlsPortIsAProtocolMismatch()
    {
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("openvpn-at-the-edge", 1_700_000_000)
            .TcpSession(TunnelInspectorTests.Internet, TunnelInspectorTests.EdgeExternal, 443, 1,
                [new(0.01, true, Framed(ClientReset())), new(0.02, false, Framed(ServerReset())), new(0.03, true, Framed(ClientControl()))]));
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.OpenVpn, Verdict.ProtocolMismatch), (flow.Flow.App, flow.Verdict.Verdict));
        Assert.Contains("'openvpn'", flow.Verdict.Reason);
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "443");
    }

    [Fact]
    public void OpenVpnBesideTlsOnTheEdgesRelayPortOutIsOneFindingThatNamesBoth()
    {
        // security-review's Edge (198.51.100.10) may reach the Internet on 443 for MS-TURN over TCP: real TLS to one host and
        // OpenVPN to another both contradict that rule, one finding between the Edge and the Internet that says each.
        const string edge = "198.51.100.10";
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("openvpn-beside-tls", 1_700_000_000)
            .Tcp(edge, "203.0.113.77", 443, 1, Payloads.TlsClientHello("paste.example.net"), Payloads.TlsServerHello)
            .Tcp(edge, "203.0.113.99", 443, 2, Framed(ClientReset()), Framed(ServerReset())), "security-review");
        Assert.All(flows, f => Assert.Equal(Verdict.ProtocolMismatch, f.Verdict.Verdict));
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch);
        Assert.Equal(2, finding.Tally.Flows);
        Assert.Equal("inspection found 'tls' where rule lync-edge-ext-turn-tcp-out expects ms-turn-tcp; "
            + "inspection found 'openvpn' where rule lync-edge-ext-turn-tcp-out expects ms-turn-tcp", finding.Reason);
    }

    [Fact]
    public void AFindingSaysEachReasonOnceAndABoundedNumber()
    {
        var finding = new Finding(FindingKind.ProtocolMismatch, "edge-ext", "(unmapped@external)", [], [], "tcp", "443", "r", "found 'tls'");
        finding.AddReason("found 'tls'");
        finding.AddReason("found 'openvpn'");
        finding.AddReason("found 'openvpn'");
        Assert.Equal("found 'tls'; found 'openvpn'", finding.Reason);
        for (int i = 0; i < 10; i++) finding.AddReason($"found 'x{i}'");
        Assert.Equal("found 'tls'; found 'openvpn'; found 'x0'; found 'x1'; and more", finding.Reason);
    }

    // The data channel seen without its handshake (a sensor started while the tunnel was up): each side's packets keep
    // their header and count up.
    private static byte[] Data(uint packetId, uint? peer = 0x7240C8, int keyId = 0) => TunnelMessages.OpenVpnData(packetId, peer, keyId);

    private static (InspectResult Result, string? Detail) DataChannel(params (bool FromClient, byte[] Data)[] turns) =>
        Converse(new OpenVpnDataInspector(), false, 3478, turns);

    private static (InspectResult Result, string? Detail) DataChannelOverTcp(params (bool FromClient, byte[] Data)[] turns) =>
        Converse(new OpenVpnDataInspector(), true, 443, turns);

    [Fact]
    public void EachSidesPacketsCountingUpUnderOneHeaderClaimTheFlow()
    {
        // Both sides heard: a side's second packet claims it.
        Assert.Equal((InspectResult.NeedMore, null), DataChannel((true, Data(2)), (false, Data(2))));
        Assert.Equal((InspectResult.Match, "data-v2"), DataChannel((true, Data(2)), (false, Data(2)), (true, Data(3))));
        // An acknowledgement or a renegotiation's control message between them is passed over.
        Assert.Equal((InspectResult.Match, "data-v2"), DataChannel((true, Data(2)), (false, TunnelMessages.OpenVpn(5, 0x5D2691F077ABC302, acknowledged: 0xB18F2C540D3EA711)),
            (false, Data(2)), (true, TunnelMessages.OpenVpn(4, 0xB18F2C540D3EA711, payload: 100)), (true, Data(3))));
        // One side alone: its third; a few packets lost to the capture between them.
        Assert.Equal((InspectResult.NeedMore, null), DataChannel((true, Data(7)), (true, Data(9))));
        Assert.Equal((InspectResult.Match, "data-v2"), DataChannel((true, Data(7)), (true, Data(9)), (true, Data(40))));
        // P_DATA_V1 has no peer ID; a key id other than 0 after a renegotiation; packet IDs crossing a byte.
        Assert.Equal((InspectResult.Match, "data-v1"), DataChannel((true, Data(254, null)), (false, Data(77, null)), (true, Data(257, null))));
        Assert.Equal((InspectResult.Match, "data-v2"), DataChannel((false, Data(5, keyId: 3)), (true, Data(6, keyId: 3)), (false, Data(6, keyId: 3))));
    }

    [Fact]
    public void OverTcpTheStreamsPacketsAreCountedInTurn()
    {
        // Shown from its start at each call: three packets of one side, or two with the other side heard.
        Assert.Equal((InspectResult.Match, "data-v2"), DataChannelOverTcp((true, Framed(Data(10), Data(11), Data(13)))));
        Assert.Equal((InspectResult.NeedMore, null), DataChannelOverTcp((true, Framed(Data(10), Data(11)))));
        Assert.Equal((InspectResult.Match, "data-v2"),
            DataChannelOverTcp((true, Framed(Data(10))), (false, Framed(Data(4))), (true, Framed(Data(10), Data(11)))));
        // A control message between them is passed over; a packet cut short is waited for.
        Assert.Equal((InspectResult.Match, "data-v2"),
            DataChannelOverTcp((true, Framed(Data(10), TunnelMessages.OpenVpn(5, 0x5D2691F077ABC302, acknowledged: 1), Data(11), Data(12)))));
        byte[] three = Framed(Data(10), Data(11), Data(12));
        for (int length = 0; length < three.Length; length++)
            Assert.Equal(InspectResult.NeedMore, DataChannelOverTcp((true, three[..length])).Result);
        // A packet sent twice, a TLS record, HTTP: not claimed, most at their first bytes.
        Assert.Equal(InspectResult.NoMatch, DataChannelOverTcp((true, Framed(Data(10), Data(10)))).Result);
        Assert.Equal(InspectResult.NoMatch, DataChannelOverTcp((true, [0x16, 0x03, 0x01, 0x02, 0x00, 0x01])).Result);
        Assert.Equal(InspectResult.NoMatch, DataChannelOverTcp((true, "GET / HTTP/1.1\r\n"u8.ToArray())).Result);
    }

    [Fact]
    public void PacketsThatDoNotCountUpOrChangeTheirHeaderAreNotClaimed()
    {
        // Sent twice, gone back, too far on.
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, Data(5)), (true, Data(5))).Result);
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, Data(5)), (true, Data(4))).Result);
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, Data(5)), (true, Data(5 + 64))).Result);
        // Another peer ID on the same side, another key id than the other side's.
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, Data(5)), (true, Data(6, peer: 0x7240C9))).Result);
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, Data(5)), (false, Data(6, keyId: 1))).Result);
        // Packet ID zero (IDs start at one), too short for a tag and a byte of payload, another opcode, TCP.
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, Data(0))).Result);
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, Data(5)[..24])).Result);
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, TunnelMessages.OpenVpn(7, 0x1122334455667788))).Result);
        // Over TCP a packet without its length before it.
        Assert.Equal(InspectResult.NoMatch, DataChannelOverTcp((true, Data(5))).Result);
        // SNMP and connectionless LDAP open with 0x30 (a BER sequence), which is P_DATA_V1's first byte: their length and
        // version bytes, where the packet ID would be, do not count up.
        byte[] snmp = [0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, .. "public"u8, 0xa0, 0x1c, .. new byte[28]];
        Assert.Equal(InspectResult.NoMatch, DataChannel((true, snmp), (true, snmp)).Result);
    }

    [Fact]
    public void AtTheEdgeAnOpenVpnTunnelCapturedAfterItsHandshakeIsAMismatchOnTheStunPort()
    {
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("openvpn-after-handshake", 1_700_000_000)
            .UdpExchanges(TunnelInspectorTests.Internet, TunnelInspectorTests.EdgeExternal, 3478, 1, 4, 1.0,
                i => Data(100 + (uint)i), sent => Data(200 + (uint)sent[7])));
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.OpenVpn, "data-v2", Verdict.ProtocolMismatch), (flow.Flow.App, flow.Flow.AppDetail?.ToString(), flow.Verdict.Verdict));
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "3478");
    }
}
