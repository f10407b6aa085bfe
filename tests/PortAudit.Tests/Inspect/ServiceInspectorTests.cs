using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// The inspectors of issue 20 on crafted messages, above all those no public capture holds (WINS replication, MSMQ,
/// the SQL Server browser, kpasswd), and the rule they share: a client's message waits for the server's answer.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ServiceInspectorTests
{
    private static InspectResult AtLimit(IInspector inspector, Flow flow, byte[] data, bool fromClient, ref ulong scratch, bool tcp = true)
    {
        var input = new InspectionInput(flow, data, fromClient, tcp, 0, ref scratch, atLimit: true);
        return inspector.Inspect(ref input);
    }

    // [MS-WINSRA] start association: size 0x29, opcode 0x7800, context 0, type 0, sender context, minor 2, major 5.
    private static readonly byte[] WinsStart = Hex("00000029 00007800 00000000 00000000 12345678 0002 0005" + new string('0', 42));
    private static readonly byte[] WinsStartResponse = Hex("00000029 00007800 12345678 00000001 9abcdef0 0002 0005" + new string('0', 42));

    [Fact]
    public void WinsReplicationWaitsForTheStartAssociationResponse()
    {
        var inspector = new WinsReplicationInspector();
        var flow = NewFlow(tcp: true, 42);
        Assert.Equal(InspectResult.NeedMore, Run(inspector, flow, true, true, WinsStart));
        Assert.Null(flow.AppDetail);
        Assert.Equal(InspectResult.Match, Conversation(inspector, flow, true, (true, WinsStart), (false, WinsStartResponse)));
        Assert.Equal("start-association", flow.AppDetail?.ToString());
        var notWins = (byte[])WinsStartResponse.Clone();
        notWins[6] = 0x12;
        Assert.Equal(InspectResult.NoMatch, Conversation(inspector, NewFlow(true, 42), true, (true, WinsStart), (false, notWins)));
    }

    [Fact]
    public void AClientMessageAloneDecidesOnlyWhenTheServerNeverContradictedIt()
    {
        var inspector = new WinsReplicationInspector();
        var flow = NewFlow(tcp: true, 42);
        ulong scratch = 0;
        Assert.Equal(InspectResult.Match, AtLimit(inspector, flow, WinsStart, true, ref scratch));
        scratch = 0;
        var denied = NewFlow(tcp: true, 42);
        Assert.Equal(InspectResult.NoMatch, AtLimit(inspector, denied, Ascii("HTTP/1.1 400 Bad Request\r\n\r\n"), false, ref scratch));
        Assert.Equal(InspectResult.NoMatch, AtLimit(inspector, denied, WinsStart, true, ref scratch));
    }

    // [MC-MQQB] BaseHeader: version 0x10, reserved, flags, "LIOR", packet size 0x20 (little-endian), then the rest.
    private static readonly byte[] MsmqPacket = Hex("10 00 0000 4c494f52 20000000" + new string('0', 32));

    [Fact]
    public void MsmqBaseHeaderBothWays()
    {
        var flow = NewFlow(tcp: true, 1801);
        Assert.Equal(InspectResult.Match, Conversation(new MsmqInspector(), flow, true, (true, MsmqPacket), (false, MsmqPacket)));
        var wrongSignature = (byte[])MsmqPacket.Clone();
        wrongSignature[7] = (byte)'X';
        Assert.Equal(InspectResult.NoMatch, Once(new MsmqInspector(), wrongSignature, tcp: true).Result);
    }

    [Fact]
    public void SqlBrowserNeedsTheServersResponse()
    {
        var inspector = new SqlBrowserInspector();
        var response = Hex("05 2e00").Concat(Ascii("ServerName;SQL1;InstanceName;MSSQLSERVER;tcp;1433;;")).ToArray();
        response[1] = (byte)(response.Length - 3);
        var flow = NewFlow(tcp: false, 1434);
        Assert.Equal(InspectResult.Match, Conversation(inspector, flow, false, (true, [0x03]), (false, response)));
        Assert.Equal("response", flow.AppDetail?.ToString());
        // One byte proves nothing by itself, even when nothing else comes.
        ulong scratch = 0;
        Assert.Equal(InspectResult.NoMatch, AtLimit(inspector, NewFlow(false, 1434), [0x03], true, ref scratch, tcp: false));
        // A broadcast's answer comes from another address: the flow may have the server as its client.
        Assert.Equal(InspectResult.Match, Once(inspector, response, tcp: false, fromClient: true).Result);
    }

    // RFC 3244 over UDP: length, version 1, AP-REQ length 3, an AP-REQ tag, then a KRB-PRIV tag.
    private static readonly byte[] KpasswdRequest = Hex("000c 0001 0003 6e0100 750100");
    private static readonly byte[] KpasswdError = Hex("0008 0001 0000 7e00");

    [Fact]
    public void KpasswdRequestConfirmedByTheServersErrorOverUdpAndTcp()
    {
        var flow = NewFlow(tcp: false, 464);
        Assert.Equal(InspectResult.Match, Conversation(new KpasswdInspector(), flow, false, (true, KpasswdRequest), (false, KpasswdError)));
        Assert.Equal("change-password; error", flow.AppDetail?.ToString());
        var tcp = NewFlow(tcp: true, 464);
        var framed = Hex("0000000c").Concat(KpasswdRequest).ToArray();
        Assert.Equal(InspectResult.Match, Conversation(new KpasswdInspector(), tcp, true, (true, framed), (false, Hex("00000008").Concat(KpasswdError).ToArray())));
        var notKpasswd = (byte[])KpasswdRequest.Clone();
        notKpasswd[3] = 2;
        Assert.Equal(InspectResult.NoMatch, Once(new KpasswdInspector(), notKpasswd, tcp: false).Result);
    }

    [Fact]
    public void SccpRegisterWaitsForTheCallManager()
    {
        var register = Hex("1c000000 00000000 01000000" + new string('0', 48));
        var ack = Hex("18000000 00000000 81000000" + new string('0', 40));
        var flow = NewFlow(tcp: true, 2000);
        Assert.Equal(InspectResult.NeedMore, Run(new SccpInspector(), flow, true, true, register));
        Assert.Null(flow.AppDetail);
        Assert.Equal(InspectResult.Match, Conversation(new SccpInspector(), flow, true, (true, register), (false, ack)));
        Assert.Equal("register", flow.AppDetail?.ToString());
    }

    [Fact]
    public void AMongoDbQueryIsNoSccpKeepalive()
    {
        // base.pcap's 10.10.10.12:55582 -> 10.10.10.13:27017 (MongoDB; tshark 4.0.17 reads no SCCP there): an OP_QUERY
        // header, length 59 (counting itself), request id 0, responseTo 0, opcode 2004, read as SCCP a keepalive
        // (length 59, version 0, id 0); a keepalive carries no data, length 4. The head labelled it sccp "keepalive".
        var query = Hex("3b0000000000000000000000d4070000000000006162746573742e24636d640000000000ffffffff13000000106765746e6f6e6365000100000000");
        // The server sent nothing back: the client's message decided alone once no more came.
        var flow = NewFlow(true, 27017);
        ulong scratch = 0;
        var alone = new InspectionInput(flow, query, true, true, 0, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, new SccpInspector().Inspect(ref alone));
        Assert.Null(flow.AppDetail);
        // A real keepalive, answered, still is one.
        var keepalive = Hex("04000000 00000000 00000000");
        var ack = Hex("04000000 00000000 00010000");
        Assert.Equal(InspectResult.Match, Conversation(new SccpInspector(), NewFlow(true, 2000), true, (true, keepalive), (false, ack)));
    }

    [Fact]
    public void TelnetNeedsNegotiationFromBothSidesOrTwoCommands()
    {
        var inspector = new TelnetInspector();
        byte[] doEcho = Hex("fffd01"), willEcho = Hex("fffb01");
        Assert.Equal(InspectResult.NeedMore, Run(inspector, NewFlow(true, 23), true, false, doEcho));
        Assert.Equal(InspectResult.Match, Conversation(inspector, NewFlow(true, 23), true, (false, doEcho), (true, willEcho)));
        ulong scratch = 0;
        Assert.Equal(InspectResult.Match, AtLimit(inspector, NewFlow(true, 23), Hex("fffd01 fffd1f fffa1f00500018fff0"), false, ref scratch));
        scratch = 0;
        Assert.Equal(InspectResult.NoMatch, AtLimit(inspector, NewFlow(true, 23), doEcho, false, ref scratch));
        Assert.Equal(InspectResult.NoMatch, Once(inspector, Ascii("login: "), tcp: true, fromClient: false).Result);
    }

    [Fact]
    public void VncIsTheServersGreeting()
    {
        var greeting = Ascii("RFB 003.008\n");
        var flow = NewFlow(tcp: true, 5900);
        Assert.Equal(InspectResult.Match, Run(new VncInspector(), flow, true, false, greeting));
        Assert.Equal("version=003.008", flow.AppDetail?.ToString());
        Assert.Equal(InspectResult.NeedMore, Run(new VncInspector(), NewFlow(true, 5900), true, true, greeting));
        Assert.Equal(InspectResult.NoMatch, Once(new VncInspector(), Ascii("RFB 3.8 hello\n"), tcp: true, fromClient: false).Result);
    }

    [Fact]
    public void L2tpControlMessageAndDataOnlyOnItsPort()
    {
        // SCCRQ: T, L, S and version 2; length 20; tunnel 0, session 0, Ns 0, Nr 0; Message Type AVP (M, length 8) = 1.
        var sccrq = Hex("c802 0014 0000 0000 0000 0000 8008 0000 0000 0001");
        var (result, flow) = Once(new L2tpInspector(), sccrq, tcp: false);
        Assert.Equal((InspectResult.Match, "v2 control"), (result, flow.AppDetail?.ToString()));
        var data = Hex("0002 1234 5678 ff03 c021 0101 0004");
        Assert.Equal(InspectResult.NoMatch, Once(new L2tpInspector(), data, tcp: false).Result);
        Assert.Equal(InspectResult.Match, Run(new L2tpInspector(), NewFlow(false, 1701), false, true, data));
    }

    [Fact]
    public void DhcpNeedsTheMagicCookie()
    {
        var discover = new byte[300];
        discover[0] = 1;
        discover[1] = 1;
        discover[2] = 6;
        Hex("63825363 350101 ff").CopyTo(discover, 236);
        var (result, flow) = Once(new DhcpInspector(), discover, tcp: false);
        Assert.Equal((InspectResult.Match, "discover"), (result, flow.AppDetail?.ToString()));
        discover[236] = 0;
        Assert.Equal(InspectResult.NoMatch, Once(new DhcpInspector(), discover, tcp: false).Result);
    }

    [Fact]
    public void Dhcpv6OptionsMustFillTheMessage()
    {
        // Solicit, transaction id, Client Identifier (DUID-LL, 10 bytes), Elapsed Time 0.
        var solicit = Hex("01 abcdef 0001 000a 00030001 0800271b2c3d 0008 0002 0000");
        var (result, flow) = Once(new Dhcpv6Inspector(), solicit, tcp: false);
        Assert.Equal((InspectResult.Match, "solicit"), (result, flow.AppDetail?.ToString()));
        Assert.Equal(InspectResult.NoMatch, Once(new Dhcpv6Inspector(), solicit[..^1], tcp: false).Result);
    }

    // The pseudo-TLS opening of MS-TURN over TCP: an SSL 2.0-compatible ClientHello (as Lync and the clients that copied
    // it send), answered by a ServerHello and a ServerHelloDone in one record.
    private static readonly byte[] PseudoClientHello = Hex(
        "8046 01 0301 002d 0000 0010 010080 030080 0700c0 060040 020080 040080 000004 00feff 00000a 00fefe 000009 000064 000062 000003 000006"
        + " 1f170ca62f0078fc46552eb18339f1ea");

    private static byte[] ServerRecord(bool helloDone)
    {
        // ServerHello: version 3.1, random, no session id, suite 0x0004, null compression.
        var hello = Hex("020000 26 0301" + new string('1', 64) + "00 0004 00");
        var body = helloDone ? hello.Concat(Hex("0e000000")).ToArray() : hello.Concat(Hex("0b000003 000000")).ToArray();
        return Hex("160301").Concat(new[] { (byte)(body.Length >> 8), (byte)body.Length }).Concat(body).ToArray();
    }

    [Fact]
    public void PseudoTlsOfMsTurnIsStunAndRealTlsStaysTls()
    {
        var flow = NewFlow(tcp: true, 443);
        // A claim until TURN messages follow (PseudoTlsFollowUpTests): the flow may end with it.
        Assert.Equal(InspectResult.Partial, Conversation(new TlsInspector(), flow, true, (true, PseudoClientHello), (false, ServerRecord(helloDone: true))));
        Assert.Equal((AppLabel.Stun, "ms-turn; pseudo-tls"), (flow.App, flow.AppDetail?.ToString()));
        var tls = NewFlow(tcp: true, 443);
        tls.App = AppLabel.Tls;
        Assert.Equal(InspectResult.Match, Conversation(new TlsInspector(), tls, true, (true, PseudoClientHello), (false, ServerRecord(helloDone: false))));
        Assert.Equal(AppLabel.Tls, tls.App);
    }
}
