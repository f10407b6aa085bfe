using System.Text;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// A SIP flow over UDP whose first datagram is no SIP message: base.pcap's 192.168.1.2:5060 -> 200.68.120.81:5060 begins
/// with an INVITE damaged to "INVITEKsip:..." (frame 24604) and its answer "SIP/x.0 100 trying" (24607); tshark reads
/// the INVITE of frame 24606. Each datagram stands alone, so every datagram a direction is inspected for is judged.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SipDatagramRetryTests
{
    private const long T0 = 1_700_000_000_000_000_000;
    private static readonly IpAddr Phone = IpAddr.FromV4(0xC0A80102), Proxy = IpAddr.FromV4(0xC8447851);

    private static byte[] Invite(string requestLine) => Encoding.ASCII.GetBytes(
        requestLine + "\r\nVia: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bKnp1\r\nFrom: \"arik\" <sip:816666@voip.brurjula.net>;tag=6433ef9\r\n"
        + "To: <sip:97239287044@voip.brujula.net>\r\nCall-ID: 105090259-446faf7a@192.168.1.2\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");

    private static readonly byte[] Damaged = Invite("INVITEKsip:9a239287044@voip.brujula.net SIP/2.0");
    private static readonly byte[] Whole = Invite("INVITE sip:97239287044@voip.brujula.net SIP/2.0");
    private static readonly byte[] Register = Encoding.ASCII.GetBytes(
        "REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bK1\r\nFrom: <sip:alice@example.org>;tag=1\r\n"
        + "To: <sip:alice@example.org>\r\nCall-ID: ka1@192.168.1.2\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n");
    private static readonly byte[] RegisterAnswer = Encoding.ASCII.GetBytes(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bK1\r\nCall-ID: ka1@192.168.1.2\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n");
    private static readonly int Limit = new InspectionLimits().PacketsPerDirection;
    private static readonly byte[] DamagedAnswer = Encoding.ASCII.GetBytes("SIP/x.0 100 trying -- your call is important to us\r\n\r\n");

    // The datagrams in turn, each (from the phone?, bytes), between the phone's 5060 and the proxy's.
    private static Flow Flow(params (bool FromPhone, byte[] Bytes)[] datagrams)
    {
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        long time = T0;
        foreach (var (fromPhone, bytes) in datagrams)
        {
            if (fromPhone) SendUdp(table, time++, Phone, 5060, Proxy, 5060, bytes);
            else SendUdp(table, time++, Proxy, 5060, Phone, 5060, bytes);
        }
        table.Flush();
        return Assert.Single(collector.Flows);
    }

    [Fact]
    public void AnInviteAfterADamagedOneNamesTheFlow()
    {
        // Was unlabelled: the damaged INVITE ruled SIP out for the phone's side, its damaged answer for the proxy's.
        var flow = Flow((true, Damaged), (true, Damaged), (false, DamagedAnswer), (true, Whole));
        Assert.Equal((AppLabel.Sip, "INVITE; from=\"arik\" <sip:816666@voip.brurjula.net>%3Btag=6433ef9"), (flow.App, flow.AppDetail?.ToString()));
        Assert.Equal(AppLabel.Sip, Flow((true, Damaged), (true, Damaged), (true, Damaged), (false, Whole)).App);
    }

    [Fact]
    public void TheDatagramsInspectedBoundTheWait()
    {
        // Was unlabelled from the third datagram that is no SIP on: tshark reads the INVITE after it.
        Assert.Equal(AppLabel.Sip, Flow([.. Enumerable.Repeat((true, Damaged), Limit - 1), (true, Whole)]).App);
        // The direction's inspection ends with its last datagram: an INVITE after it is not read; the other side still
        // has its own.
        Assert.Null(Flow([.. Enumerable.Repeat((true, Damaged), Limit), (true, Whole)]).App);
        Assert.Equal(AppLabel.Sip, Flow([.. Enumerable.Repeat((true, Damaged), Limit), (false, Whole)]).App);
    }

    [Fact]
    public void KeepAlivesOfZeroBytesBeforeTheFirstRequestAreWaitedThrough()
    {
        // Was unlabelled: four zero bytes, which no SIP message starts with, ruled SIP out at once for each side; tshark
        // reads the REGISTER after them as SIP and nDPI names the flow SIP (its keep-alive test).
        byte[] zeros = [0, 0, 0, 0];
        var flow = Flow((true, zeros), (false, zeros), (true, Register), (false, RegisterAnswer));
        Assert.Equal((AppLabel.Sip, "REGISTER; from=<sip:alice@example.org>%3Btag=1"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void HellosBeforeTheFirstRequestAreWaitedThrough()
    {
        // sip_hello.pcapng: each side sends "hello" four times, then 172.29.38.91's REGISTER, its fifth datagram (tshark
        // frame 9), and the answer; nDPI names the flow SIP. Was unlabelled: the third datagram that is no SIP gave each side up.
        var hello = Encoding.ASCII.GetBytes("hello");
        var datagrams = new List<(bool, byte[])>();
        for (int i = 0; i < 4; i++) datagrams.AddRange([(true, hello), (false, hello)]);
        datagrams.AddRange([(false, Register), (true, RegisterAnswer)]);
        var flow = Flow([.. datagrams]);
        Assert.Equal((AppLabel.Sip, "REGISTER; from=<sip:alice@example.org>%3Btag=1"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheInspectorWaitsUntilTheDirectionsLastDatagram()
    {
        var sip = new SipInspector();
        var flow = InspectorHarness.NewFlow(tcp: false, 5060);
        Assert.Equal(InspectResult.NeedMore, InspectorHarness.Run(sip, flow, false, true, Damaged, Damaged, Damaged));
        Assert.Equal(InspectResult.Match, InspectorHarness.Run(sip, flow, false, true, Damaged, Damaged, Whole));
        ulong scratch = 0;
        var last = new InspectionInput(flow, Damaged, true, false, Limit - 1, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, sip.Inspect(ref last));
        // Over TCP the stream is read from its start: bytes that are no SIP end it at once.
        Assert.Equal(InspectResult.NoMatch, InspectorHarness.Run(sip, InspectorHarness.NewFlow(tcp: true, 5060), true, true, [0, 0, 0, 0]));
    }

    // RFC 5389 Binding request (a SOFTWARE attribute "test") and its success answer (XOR-MAPPED-ADDRESS 192.0.10.10:5060).
    private static readonly byte[] StunBinding = InspectorHarness.Hex("0001 0008 2112a442 000102030405060708090a0b 8022 0004 74657374");
    private static readonly byte[] StunBindingAnswer = InspectorHarness.Hex("0101 000c 2112a442 000102030405060708090a0b 0020 0008 0001 3ed6 e1122e48");
    // A TURN Allocate request (REQUESTED-TRANSPORT UDP): no keep-alive of SIP's.
    private static readonly byte[] StunAllocate = InspectorHarness.Hex("0003 0008 2112a442 000102030405060708090a0b 0019 0004 11000000");

    [Fact]
    public void StunKeepAlivesBeforeTheFirstRequestLeaveTheFlowToSip()
    {
        // RFC 5626 4.4.2: a user agent keeps its NAT binding open with STUN Binding requests on its SIP flow. Was stun
        // "binding": the keep-alive claimed the flow and the REGISTER after it was never read. nDPI names the flow SIP;
        // tshark reads the Binding exchange as STUN and the rest as SIP.
        var flow = Flow((true, StunBinding), (false, StunBindingAnswer), (true, Register), (false, RegisterAnswer));
        Assert.Equal((AppLabel.Sip, "REGISTER; from=<sip:alice@example.org>%3Btag=1"), (flow.App, flow.AppDetail?.ToString()));
        Assert.Equal(AppLabel.Sip, Flow((true, StunBinding), (false, StunBindingAnswer), (false, RegisterAnswer)).App);
        // Bindings with nothing else after them stay STUN, and so does a flow that spoke TURN.
        Assert.Equal((AppLabel.Stun, "binding"), (Flow((true, StunBinding), (false, StunBindingAnswer)).App, Flow((true, StunBinding)).AppDetail?.ToString()));
        Assert.Equal(AppLabel.Stun, Flow((true, StunBinding), (true, StunAllocate), (true, Register)).App);
    }
}
