using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class BinaryProtocolInspectorTests
{
    // AS-REQ skeleton: [APPLICATION 10] SEQUENCE { [1] pvno 5, [2] msg-type 10 }.
    private static readonly byte[] AsReq = Hex("6a 0e 30 0c a1 03 02 01 05 a2 03 02 01 0a a3 00");

    [Fact]
    public void KerberosOverUdpAndTcp()
    {
        var (result, flow) = Once(new KerberosInspector(), AsReq, tcp: false);
        Assert.Equal((InspectResult.Match, "AS-REQ"), (result, flow.AppDetail?.ToString()));
        var framed = Hex("00000010").Concat(AsReq).ToArray();
        Assert.Equal(InspectResult.Match, Once(new KerberosInspector(), framed, tcp: true).Result);
        var wrongVersion = (byte[])AsReq.Clone();
        wrongVersion[8] = 4;
        Assert.Equal(InspectResult.NoMatch, Once(new KerberosInspector(), wrongVersion, tcp: false).Result);
    }

    // An AS-REQ for admin1@CORP.EXAMPLE as Windows writes it, each length in three bytes (82 and two), after TCP's record marker.
    private static readonly byte[] WindowsAsReq = TcpRecord(BerValues.Tlv(0x6A, 2, BerValues.Tlv(0x30, 2,
        BerValues.Tlv(0xA1, BerValues.Tlv(0x02, [5])), BerValues.Tlv(0xA2, BerValues.Tlv(0x02, [10])),
        BerValues.Tlv(0xA4, BerValues.Tlv(0x30, BerValues.Tlv(0xA1, BerValues.Tlv(0x30, BerValues.Tlv(0xA1, BerValues.Tlv(0x30, BerValues.Tlv(0x1B, Ascii("admin1")))))),
            BerValues.Tlv(0xA2, BerValues.Tlv(0x1B, Ascii("CORP.EXAMPLE"))))))));

    private static byte[] TcpRecord(byte[] message) => [.. Hex($"{message.Length:x8}"), .. message];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AKerberosRequestInSegmentsOfAFewBytesIsLabelledAsIfSentWhole(int size)
    {
        // Sent 1, 2 or 3 bytes a segment, the segments ended inside the long-form headers before pvno, which was no Kerberos.
        var whole = Assert.Single(InspectTestData.Inspect(Smb1Messages.Conversation("10.0.0.50", "10.0.0.10", 88, (true, WindowsAsReq))), f => f.ServerPort == 88);
        var pieces = WindowsAsReq.Chunk(size).Select(piece => (true, piece)).ToArray();
        var cut = Assert.Single(InspectTestData.Inspect(Smb1Messages.Conversation("10.0.0.50", "10.0.0.10", 88, pieces)), f => f.ServerPort == 88);
        Assert.Equal(("kerberos", "AS-REQ"), (whole.App?.Name, whole.AppDetail?.ToString()));
        Assert.Equal((whole.App, whole.AppDetail?.ToString()), (cut.App, cut.AppDetail?.ToString()));
    }

    [Fact]
    public void AKerberosRecordThatEndsBeforePvnoWaitsOnlyWhileItReadsAsOne()
    {
        // The record marker, the AS-REQ's and the SEQUENCE's headers and pvno's [1]: the segments so far of a longer record.
        Assert.Equal(InspectResult.NeedMore, Once(new KerberosInspector(), WindowsAsReq[..14], tcp: true).Result);
        // The same bytes with another version, or another field where pvno goes, are no Kerberos.
        byte[] pvno4 = [.. WindowsAsReq[..16], 4], otherField = [.. WindowsAsReq[..12], 0xA3, 0x03];
        Assert.Equal(InspectResult.NoMatch, Once(new KerberosInspector(), pvno4, tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new KerberosInspector(), otherField, tcp: true).Result);
        // A record or a datagram that ends before pvno has said all it had to.
        var shortRecord = Hex("00000010 6a84 00000040 3084 0000003c a1030201");
        Assert.Equal(InspectResult.NoMatch, Once(new KerberosInspector(), shortRecord, tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new KerberosInspector(), WindowsAsReq[4..14], tcp: false).Result);
    }

    // bindRequest: SEQUENCE { messageID 1, [APPLICATION 0] { version 3, name "", simple "" } }.
    private static readonly byte[] LdapBind = Hex("30 0c 02 01 01 60 07 02 01 03 04 00 80 00");

    [Fact]
    public void LdapOverTcpAndCldapOverUdp()
    {
        var (result, flow) = Once(new LdapInspector(), LdapBind, tcp: true);
        Assert.Equal((InspectResult.Match, "bindRequest"), (result, flow.AppDetail?.ToString()));
        var (_, udp) = Once(new LdapInspector(), LdapBind, tcp: false);
        Assert.Equal(AppLabel.Cldap, udp.App);
        Assert.Equal(InspectResult.NoMatch, Once(new LdapInspector(), Hex("30 0c 02 01 01 99 07 02 01 03 04 00 80 00"), tcp: true).Result);
    }

    [Fact]
    public void SnmpCommunityAndPdu()
    {
        var get = Hex("30 1a 02 01 01 04 06 7075626c6963 a0 0d 02 01 01 02 01 00 02 01 00 30 02 30 00");
        var (result, flow) = Once(new SnmpInspector(), get, tcp: false);
        Assert.Equal((InspectResult.Match, "v2c get-request"), (result, flow.AppDetail?.ToString()));
        Assert.Equal(InspectResult.NoMatch, Once(new SnmpInspector(), Hex("30 03 02 01 07"), tcp: false).Result);
    }

    private static readonly byte[] Smb2NegotiateRequest = Hex("00 000042 fe534d42 4000 0000 00000000 0000 0000 00000000 00000000 0000000000000000 00000000 00000000 0000000000000000 00000000000000000000000000000000 0000");

    [Fact]
    public void SmbOver445AndOverNetBiosSession()
    {
        var (result, flow) = Once(new SmbInspector(), Smb2NegotiateRequest, tcp: true);
        Assert.Equal((InspectResult.Partial, "smb2"), (result, flow.AppDetail?.ToString()));
        var sessionRequest = Hex("81 000044 20").Concat(Ascii(new string('A', 32))).Concat(Hex("00 20")).Concat(Ascii(new string('B', 32))).Concat(Hex("00")).ToArray();
        Assert.Equal(InspectResult.NeedMore, Once(new SmbInspector(), sessionRequest, tcp: true).Result);
        Assert.Equal(InspectResult.Partial, Once(new SmbInspector(), sessionRequest.Concat(Smb2NegotiateRequest).ToArray(), tcp: true).Result);
        // The session setup alone waits; at the end of what inspection keeps it is plain NetBIOS session service.
        Assert.Equal(InspectResult.NeedMore, Once(new NetBiosSessionInspector(), sessionRequest, tcp: true).Result);
        var flow2 = NewFlow(true);
        ulong scratch = 0;
        var last = new InspectionInput(flow2, sessionRequest, true, true, 0, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.Match, new NetBiosSessionInspector().Inspect(ref last));
    }

    // An SMB2 NEGOTIATE response choosing `dialect` (StructureSize 65, SecurityMode, DialectRevision), NetBIOS-framed.
    private static byte[] Smb2NegotiateResponse(ushort dialect) =>
        Hex("00 000048 fe534d42 4000 0000 00000000 0000 0000 01000000 00000000 0000000000000000 00000000 00000000 0000000000000000 00000000000000000000000000000000 4100 0100"
            + $"{dialect & 0xFF:x2}{dialect >> 8:x2} 0000");

    [Theory]
    // hc-wmiexec.pcapng: a multi-protocol negotiate answered 0x02FF, then an SMB2 negotiate answered 0x0210 (tshark
    // 4.0.17's smb2.dialect: 0x02ff, then 0x0210); the head stopped at 0x02FF and wrote "smb2". A server choosing SMB 3.1.1
    // the same way made the head write "smb2" for an SMB3 session.
    [InlineData((ushort)0x0210, "smb2; dialect=2.1.0")]
    [InlineData((ushort)0x0311, "smb3; dialect=3.1.1")]
    public void TheDialectIsTheAnswerToTheNegotiateAfterAMultiProtocolOne(ushort chosen, string expected)
    {
        var smb1 = Smb1Messages.Request(1, Smb1Messages.NegotiateOf(response: false));
        var wildcard = Smb2NegotiateResponse(0x02FF);
        var flow = NewFlow(true, 445);
        var result = Conversation(new SmbInspector(), flow, true, (true, smb1), (false, wildcard), (true, [.. smb1, .. Smb2NegotiateRequest]),
            (false, [.. wildcard, .. Smb2NegotiateResponse(chosen)]));
        Assert.Equal((InspectResult.Match, expected), (result, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void ACqlAnswerIsNoNetBiosKeepalive()
    {
        // base.pcap's Cassandra session 198.18.0.3:37892 -> 198.18.0.2:9042 (tshark 4.0.17 reads no NetBIOS there): the
        // server's CQL v5 SUPPORTED answer opens 85 00 00 00, a NetBIOS keepalive's bytes, then 06 00 00 00 66, no frame.
        // The head labelled the flow netbios-ssn.
        var supported = Hex("8500000006000000660003001150524f544f434f4c5f56455253494f4e5300040004332f7633");
        Assert.Equal(InspectResult.NoMatch, Once(new NetBiosSessionInspector(), supported, tcp: true, fromClient: false).Result);
        // A keepalive followed by an SMB message is still the session service.
        Assert.Equal(InspectResult.Match, Once(new NetBiosSessionInspector(), [.. Hex("85000000"), .. Smb2NegotiateRequest], tcp: true).Result);
    }

    [Fact]
    public void AnSmb1AnswerIsAWeaknessAndAClientsMultiProtocolNegotiateIsNot()
    {
        // SMB1 NEGOTIATE (command 0x72) with the header's word and byte counts zero. From the client it may offer SMB2
        // dialects too ([MS-SMB2] 3.2.4.2.2.1); a server that answers in SMB1 speaks it.
        var smb1 = Hex("00 000023 ff534d42 72 00000000 18 0128 0000 0000000000000000 0000 0000 0000 0000 0000 00 0000");
        var (result, flow) = Once(new SmbInspector(), smb1, tcp: true);
        Assert.Equal((InspectResult.Partial, "smb1", FlowWeakness.None), (result, flow.AppDetail?.ToString(), flow.Weakness));
        Assert.Equal(FlowWeakness.Smb1, Once(new SmbInspector(), smb1, tcp: true, fromClient: false).Flow.Weakness);
        Assert.Equal(FlowWeakness.None, Once(new SmbInspector(), Smb2NegotiateRequest, tcp: true).Flow.Weakness);
    }

    [Fact]
    public void AClientSpeakingSmb1PastItsNegotiateIsAWeaknessWithoutTheServersAnswer()
    {
        // Only the client's side was captured (or the capture began after the negotiate): a client that goes on in SMB1
        // was answered in SMB1; one that goes on in SMB2 was not.
        var negotiate = Smb1Messages.Request(1, Smb1Messages.NegotiateOf(response: false));
        var create = Smb1Messages.Request(2, Smb1Messages.NtCreate("\\lsass"));
        var (result, flow) = Once(new SmbInspector(), [.. negotiate, .. create], tcp: true);
        Assert.Equal((InspectResult.Match, "smb1", FlowWeakness.Smb1), (result, flow.AppDetail?.ToString(), flow.Weakness));
        Assert.Equal(FlowWeakness.Smb1, Once(new SmbInspector(), create, tcp: true).Flow.Weakness);
        var (onlyNegotiate, offered) = Once(new SmbInspector(), negotiate, tcp: true);
        Assert.Equal((InspectResult.Partial, FlowWeakness.None), (onlyNegotiate, offered.Weakness));
        Assert.Equal(FlowWeakness.None, Once(new SmbInspector(), [.. negotiate, .. Smb2NegotiateRequest], tcp: true).Flow.Weakness);
    }

    [Fact]
    public void AOneSidedSmb1SessionThroughTheFlowTableIsAWeakness()
    {
        var flows = InspectTestData.Inspect(Smb1Messages.Conversation("10.0.0.5", "10.0.0.1", 445,
            (true, Smb1Messages.Request(1, Smb1Messages.NegotiateOf(response: false))),
            (true, Smb1Messages.Request(2, Smb1Messages.NtCreate("\\lsass"))),
            (true, Smb1Messages.Request(3, Smb1Messages.WriteAndXOf(0x4000, [1, 2, 3])))));
        var flow = Assert.Single(flows, f => f.ServerPort == 445);
        Assert.Equal(("smb", FlowWeakness.Smb1), (flow.App?.Name, flow.Weakness));
    }

    [Fact]
    public void Smb3DialectFromTheNegotiateResponse()
    {
        var response = new byte[4 + 64 + 8];
        response[3] = 72;
        new byte[] { 0xFE, (byte)'S', (byte)'M', (byte)'B' }.CopyTo(response, 4);
        response[4 + 16] = 1; // response flag
        response[4 + 64 + 4] = 0x11;
        response[4 + 64 + 5] = 0x03;
        var (result, flow) = Once(new SmbInspector(), response, tcp: true, fromClient: false);
        Assert.Equal((InspectResult.Match, "smb3; dialect=3.1.1"), (result, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void NetBiosNameAndDatagramServices()
    {
        var query = Hex("8a3c 0110 0001 0000 0000 0000 20").Concat(Ascii("FHEPFCELEHFCEPFFFACACACACACACABN")).Concat(Hex("00 0020 0001")).ToArray();
        Assert.Equal(InspectResult.Match, Once(new NetBiosNameInspector(), query, tcp: false).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new DnsInspector(), Hex("8a3c 0110 0001 0000 0000 0000 0a").Concat(new byte[20]).ToArray(), tcp: false).Result);
        var name = Hex("20").Concat(Ascii("EEEFFDEFEMEFEOEEEFECEBEDEEEFFCAA")).Concat(Hex("00")).ToArray();
        var datagram = Hex("11 02 1234 c0a80001 008a 0000 0000").Concat(name).Concat(name).ToArray();
        Assert.Equal(InspectResult.Match, Once(new NetBiosDatagramInspector(), datagram, tcp: false).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new NetBiosDatagramInspector(), query, tcp: false).Result);
    }

    [Theory]
    [InlineData("0110 0001 0000", "query; broadcast", true, false)]
    [InlineData("0000 0001 0000", "query", false, false)]
    [InlineData("8500 0000 0001", "query; response", true, false)]
    [InlineData("2910 0001 0000", "registration; broadcast", true, false)]
    [InlineData("2900 0001 0000", "registration", false, true)]
    [InlineData("4000 0001 0000", "refresh", false, true)]
    [InlineData("a800 0000 0001", "registration; response", true, false)]
    [InlineData("7900 0001 0000", "multihomed-registration", false, true)]
    public void NetBiosNameDetailReadsTheResponseBitAndTheBroadcastFlag(string flagsAndCounts, string detail, bool expectsNoAnswer,
        bool registersWithNameServer)
    {
        // Captured in ../shared/captures/netbios.pcap: a WINS server answers a broadcast query by unicast, in a flow
        // that holds only the response; reading it as a query made it look unanswered.
        var packet = Hex("8486 " + flagsAndCounts + " 0000 0000 20").Concat(Ascii("EHFFEOEOEBFCCACACACACACACACACAAA")).Concat(Hex("00 0020 0001")).ToArray();
        var (result, flow) = Once(new NetBiosNameInspector(), packet, tcp: false);
        Assert.Equal((InspectResult.Match, detail, expectsNoAnswer, registersWithNameServer),
            (result, flow.AppDetail?.ToString(), NetBiosNameInspector.ExpectsNoAnswer(flow.AppDetail),
                NetBiosNameInspector.RegistersWithNameServer(flow.AppDetail)));
    }

    private static readonly byte[] DnsQuery = Hex("1234 0100 0001 0000 0000 0000 07 6578616d706c65 03 6f7267 00 0001 0001");

    [Fact]
    public void DnsOverUdpAndTcp()
    {
        Assert.Equal(InspectResult.Match, Once(new DnsInspector(), DnsQuery, tcp: false).Result);
        var framed = new byte[] { 0, (byte)DnsQuery.Length }.Concat(DnsQuery).ToArray();
        Assert.Equal(InspectResult.Match, Once(new DnsInspector(), framed, tcp: true).Result);
        var badLabel = (byte[])DnsQuery.Clone();
        badLabel[12] = 0x50;
        Assert.Equal(InspectResult.NoMatch, Once(new DnsInspector(), badLabel, tcp: false).Result);
    }

    [Fact]
    public void RdpConnectionRequestWithCookie()
    {
        var cookie = Ascii("Cookie: mstshash=user\r\n");
        int length = 4 + 7 + cookie.Length + 8;
        var request = new byte[] { 3, 0, 0, (byte)length, (byte)(length - 5), 0xE0, 0, 0, 0, 0, 0 }
            .Concat(cookie).Concat(Hex("01 00 0800 03000000")).ToArray();
        Assert.Equal(InspectResult.Match, Once(new RdpInspector(), request, tcp: true).Result);
        // ISO-TSAP (S7) connection requests carry TPDU parameters instead.
        Assert.Equal(InspectResult.NoMatch, Once(new RdpInspector(), Hex("0300 0016 11 e0 0000 0001 00 c1020100 c2020102 c0010a"), tcp: true).Result);
    }

    // A server's TDS packet: a tabular result (type 4), the last of its message, with three bytes of payload.
    private static readonly byte[] TdsTabularResult = Hex("04 01 000b 0000 0100 000000");

    [Fact]
    public void TdsPreLoginWithValidOptions()
    {
        var prelogin = Hex("12 01 002f 0000 0100 00 001a 0006 01 0020 0001 02 0021 0001 03 0022 0004 04 0026 0001 ff 0900000000 00 00 00 00000000 00");
        Assert.Equal((InspectResult.Match, "prelogin"), Converse(new TdsInspector(), true, 1433, (true, prelogin), (false, TdsTabularResult)));
        // With no answer the client's packet decides alone, once no more comes.
        var flow = NewFlow(true, 1433);
        ulong scratch = 0;
        var alone = new InspectionInput(flow, prelogin, true, true, 0, ref scratch, atLimit: true);
        Assert.Equal((InspectResult.Match, "prelogin"), (new TdsInspector().Inspect(ref alone), flow.AppDetail?.ToString()));
        var broken = (byte[])prelogin.Clone();
        broken[8] = 0x42;
        Assert.Equal(InspectResult.NoMatch, Once(new TdsInspector(), broken, tcp: true).Result);
    }

    [Fact]
    public void AnIsoTransportConnectionIsNoTdsRpc()
    {
        // base.pcap's S7comm and MMS connections to port 102 (tshark 4.0.17: tpkt, cotp, s7comm / mms): a TPKT header
        // (version 3, reserved 0, length) around a COTP connection request, whose destination reference is 0, reads as a
        // TDS RPC packet (type 3, status 0, length, window 0); the head labelled them tds "rpc". The server's connection
        // confirm is no tabular result.
        var request = Hex("0300 0016 11 e0 0000 0001 00 c1020100 c2020102 c0010a");
        var confirm = Hex("0300 0016 11 d0 0001 0001 00 c0010a c1020100 c2020102");
        Assert.Equal(InspectResult.NoMatch, Converse(new TdsInspector(), true, 102, (true, request), (false, confirm)).Result);
        // Through the engine, both sides as the capture has them: no tds flow.
        var flows = InspectTestData.Inspect(Smb1Messages.Conversation("10.0.0.50", "10.0.0.10", 102, (true, request), (false, confirm)));
        Assert.All(flows, f => Assert.NotEqual(AppLabel.Tds, f.App));
    }

    [Fact]
    public void AServerThatOnlyLooksLikeATabularResultIsNoTds()
    {
        // base.pcap's 192.168.2.100:41184 -> 52.0.252.2:5242 (Viber; tshark reads no protocol there): the client's first
        // byte is no TDS type, the server's first bytes 04 02 ed 03 read as a tabular result with the client's ignore bit
        // and a length of 60675. The head labelled it tds "response".
        var viber = Hex("0402ed030380000000000a006c9ceb1e000000001400ccc9c02c941029cac02c9410");
        var server = NewFlow(true, 5242);
        ulong word = 0;
        var last = new InspectionInput(server, viber, false, true, 0, ref word, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, new TdsInspector().Inspect(ref last));
    }

    [Fact]
    public void NtpClientPacket()
    {
        var request = new byte[48];
        request[0] = 0x23; // v4, client
        var flow = NewFlow(tcp: false, serverPort: 123);
        Assert.Equal(InspectResult.Match, Run(new NtpInspector(), flow, false, true, request));
        Assert.Equal("v4 client", flow.AppDetail?.ToString());
        Assert.Equal(InspectResult.NoMatch, Run(new NtpInspector(), NewFlow(tcp: false, serverPort: 123), false, true, new byte[47]));
    }

    [Fact]
    public void NtpIsOnlyReadOnPort123()
    {
        // A NetBIOS name query whose transaction id (0x2305) and flags read as a v4 client header, in 68 bytes as with a MAC.
        var query = Hex("2305 0100 0001 0000 0000 0001").Concat(new byte[56]).ToArray();
        Assert.Equal(InspectResult.NoMatch, Run(new NtpInspector(), NewFlow(tcp: false, serverPort: 137), false, true, query));
        Assert.Equal(InspectResult.Match, Run(new NtpInspector(), NewFlow(tcp: false, serverPort: 123), false, true, query));
    }

    [Fact]
    public void RadiusAttributesMustFillThePacket()
    {
        var request = Hex("01 07 001a").Concat(new byte[16]).Concat(Hex("01 06 75736572")).ToArray();
        var (result, flow) = Once(new RadiusInspector(), request, tcp: false);
        Assert.Equal((InspectResult.Match, "access-request"), (result, flow.AppDetail?.ToString()));
        request[21] = 7;
        Assert.Equal(InspectResult.NoMatch, Once(new RadiusInspector(), request, tcp: false).Result);
    }

    private static readonly byte[] IkeV2Init = Hex("1122334455667788 0000000000000000 21 20 22 08 00000000 0000001c");

    [Fact]
    public void IkeDirectAndBehindNat()
    {
        var (result, flow) = Once(new IkeInspector(), IkeV2Init, tcp: false);
        Assert.Equal((InspectResult.Match, "ikev2"), (result, flow.AppDetail?.ToString()));
        var natT = new byte[4].Concat(IkeV2Init).ToArray();
        Assert.Equal("ikev2; nat-t", Once(new IkeInspector(), natT, tcp: false).Flow.AppDetail?.ToString());
        Assert.Equal(InspectResult.NeedMore, Once(new IkeInspector(), new byte[] { 0xFF }, tcp: false).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new IkeInspector(), IkeV2Init[..27], tcp: false).Result);
    }

    [Fact]
    public void RtpNeedsTwoPacketsOfOneSource()
    {
        var first = Hex("8000 0001 00000000 cafebabe").Concat(new byte[20]).ToArray();
        var second = Hex("8000 0002 000000a0 cafebabe").Concat(new byte[20]).ToArray();
        var other = Hex("8000 0002 000000a0 0badf00d").Concat(new byte[20]).ToArray();
        Assert.Equal(InspectResult.NeedMore, Once(new RtpInspector(), first, tcp: false).Result);
        var flow = NewFlow(false);
        Assert.Equal(InspectResult.Match, Run(new RtpInspector(), flow, false, true, first, second));
        Assert.Equal("heuristic; pt=0", flow.AppDetail?.ToString());
        Assert.Equal(InspectResult.NeedMore, Run(new RtpInspector(), NewFlow(false), false, true, first, other));
    }

    [Fact]
    public void RtcpCompoundMustAddUp()
    {
        var compound = Hex("80c9 0001 cafebabe 81ca 0002 cafebabe 01000000");
        var (result, flow) = Once(new RtcpInspector(), compound, tcp: false);
        Assert.Equal((InspectResult.Match, "heuristic"), (result, flow.AppDetail?.ToString()));
        Assert.Equal(InspectResult.NoMatch, Once(new RtcpInspector(), compound[..^2], tcp: false).Result);
    }

    // GTP's messages that carry no user's packet: GTP-C versions 1 and 2 on 2123, GTP-U's path messages on 2152, each
    // header's flags, type and length against the datagram (3GPP TS 29.060 6, TS 29.274 5.1, TS 29.281 5.1 and 7).
    // Create Session Request: version 2 with a TEID, length 12 (TEID, sequence 1 and spare, a 4-byte IE).
    private const string GtpCreateSession = "48 20 000c 00000000 000001 00 52000100";
    // Version 1 Echo Request, with its sequence number (S flag) and the optional fields it brings.
    private const string GtpV1Echo = "32 01 0004 00000000 0001 00 00";

    private static (InspectResult Result, string? App, string? Detail) OnGtpPort(ushort port, string hex, bool tcp = false)
    {
        var flow = NewFlow(tcp, port);
        var result = Run(new GtpInspector(), flow, tcp, true, Hex(hex));
        return (result, result == InspectResult.Match ? (flow.App ?? new GtpInspector().Descriptor.Label).Name : null, flow.AppDetail?.ToString());
    }

    [Theory]
    [InlineData(2123, GtpCreateSession, "gtp-c", "v2 create-session-request")]
    [InlineData(2123, "40 01 0004 000001 00", "gtp-c", "v2 echo-request")]
    // A Create Session Response (P and T flags) with a Create Bearer Request piggybacked behind it.
    [InlineData(2123, "58 21 0008 12345678 000001 00 48 5f 0008 12345678 000002 00", "gtp-c", "v2 create-session-response")]
    [InlineData(2123, "48 a2 0008 12345678 000003 00", "gtp-c", "v2")]
    [InlineData(2123, GtpV1Echo, "gtp-c", "v1 echo-request")]
    [InlineData(2123, "32 10 0008 00000000 0001 00 00 0e010000", "gtp-c", "v1 create-pdp-context-request")]
    [InlineData(2152, GtpV1Echo, "gtp-u", "echo-request")]
    [InlineData(2152, "32 02 0006 00000000 0001 00 00 0e05", "gtp-u", "echo-response")]
    [InlineData(2152, "32 1a 0010 12345678 0001 00 00 10 00000001 85 0004 c0000201", "gtp-u", "error-indication")]
    [InlineData(2152, "30 fe 0000 12345678", "gtp-u", "end-marker")]
    public void Control_messages_on_2123_are_gtp_c_and_path_messages_on_2152_gtp_u(int port, string hex, string app, string detail)
    {
        Assert.Equal((InspectResult.Match, app, detail), OnGtpPort((ushort)port, hex));
    }

    [Theory]
    [InlineData("48 20 000b 00000000 000001 00 52000100")]   // the length one short of the datagram
    [InlineData("48 20 000d 00000000 000001 00 52000100")]   // one past it
    [InlineData("48 20 0004 00000000 000001 00")]            // the T flag's TEID and the sequence number do not fit 4
    [InlineData("49 20 000c 00000000 000001 00 52000100")]   // a spare bit set
    [InlineData("48 00 000c 00000000 000001 00 52000100")]   // message type 0, reserved
    [InlineData("58 21 0008 12345678 000001 00")]            // the P flag and nothing piggybacked
    [InlineData("58 21 0008 12345678 000001 00 48 5f 0009 12345678 000002 00")]  // the piggybacked length past the datagram
    [InlineData("58 21 0008 12345678 000001 00 58 5f 0008 12345678 000002 00")]  // a piggybacked message piggybacking again
    [InlineData("48 21 0008 12345678 000001 00 48 5f 0008 12345678 000002 00")]  // two messages without the P flag
    [InlineData("30 01 0000 00000000")]                      // version 1 without the sequence number control messages carry
    [InlineData("32 1a 0004 00000000 0001 00 00")]           // version 1's error indication: the user plane's
    [InlineData("22 01 0004 00000000 0001 00 00")]           // protocol type 0: GTP', charging records
    [InlineData("3a 01 0004 00000000 0001 00 00")]           // version 1's spare bit set
    [InlineData("48 20 000c 00000000")]                      // a capture cut short of the length
    [InlineData("32 01 0004 00000000")]
    public void Headers_that_do_not_agree_with_the_datagram_are_not_gtp_c(string hex)
    {
        Assert.Equal(InspectResult.NoMatch, OnGtpPort(2123, hex).Result);
    }

    [Fact]
    public void Each_plane_takes_only_its_own_messages_on_its_own_port()
    {
        // A G-PDU is the decoder's to open; one that reaches inspection (a packet it could not open) is not a path message.
        Assert.Equal(InspectResult.NoMatch, OnGtpPort(2152, "30 ff 0004 00000001 45000000").Result);
        Assert.Equal(InspectResult.NoMatch, OnGtpPort(2152, GtpCreateSession).Result);
        Assert.Equal(InspectResult.NoMatch, OnGtpPort(2152, "32 10 0008 00000000 0001 00 00 0e010000").Result);
        Assert.Equal(InspectResult.NoMatch, OnGtpPort(40000, GtpCreateSession).Result);
        Assert.Equal(InspectResult.NoMatch, OnGtpPort(40000, GtpV1Echo).Result);
        Assert.Equal(InspectResult.NoMatch, OnGtpPort(2123, GtpCreateSession, tcp: true).Result);
    }

    [Fact]
    public void The_catalog_accepts_gtp_c_only_by_its_name()
    {
        Assert.Equal([AppLabel.GtpC], PortAudit.Catalog.ProtocolLabels.For("gtp-c"));
        Assert.DoesNotContain(AppLabel.GtpC, PortAudit.Catalog.ProtocolLabels.OutsideTheDocuments);
    }
}
