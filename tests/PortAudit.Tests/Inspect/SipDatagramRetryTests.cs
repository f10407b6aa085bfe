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
/// the INVITE of frame 24606. Each datagram stands alone, so the first few of a direction are each judged.
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
        // Bounded: the third datagram of a side that is no SIP gives the side up, and an INVITE after it is not read;
        // the other side still has its own.
        Assert.Null(Flow((true, Damaged), (true, Damaged), (true, Damaged), (true, Whole)).App);
        Assert.Equal(AppLabel.Sip, Flow((true, Damaged), (true, Damaged), (true, Damaged), (false, Whole)).App);
    }

    [Fact]
    public void TheInspectorWaitsOnTheFirstDatagramsOnly()
    {
        var sip = new SipInspector();
        var flow = InspectorHarness.NewFlow(tcp: false, 5060);
        Assert.Equal(InspectResult.NeedMore, InspectorHarness.Run(sip, flow, false, true, Damaged));
        Assert.Equal(InspectResult.NoMatch, InspectorHarness.Run(sip, flow, false, true, Damaged, Damaged, Damaged));
        Assert.Equal(InspectResult.Match, InspectorHarness.Run(sip, flow, false, true, Damaged, Damaged, Whole));
    }
}
