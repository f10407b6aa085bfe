using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Sip;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// What an SDP body's ICE candidates announce on a SIP flow: each candidate the agent receives on, UDP or TCP, labelled
/// by its component and attributed to the call; no more than <see cref="SipMediaFollower.MaxCandidatesPerBody"/> per body.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SipMediaFollowerTests
{
    private static readonly IpAddr Phone = IpAddr.Parse("10.0.0.5"), Proxy = IpAddr.Parse("10.0.0.10");

    private static (AnnouncedConnections Announced, Flow Sip) Offer(string sdp)
    {
        var announced = new AnnouncedConnections(TimeSpan.FromMinutes(5));
        var sip = new Flow(1, IpProtocol.Udp, Phone, 5060, Proxy, 5060, 1_000, opened: true) { App = AppLabel.Sip };
        var follower = SipMediaFollower.For(sip, announced)!;
        string body = sdp.Replace("\n", "\r\n");
        string message = "INVITE sip:bob@example.org SIP/2.0\r\nCall-ID: call-1\r\nContent-Type: application/sdp\r\n"
            + $"Content-Length: {body.Length}\r\n\r\n{body}";
        follower.OnDatagram(sip, fromClient: true, Encoding.ASCII.GetBytes(message));
        return (announced, sip);
    }

    // A new flow whose first packet goes from the proxy's side to the address and port.
    private static Flow To(AnnouncedConnections announced, byte transport, string address, ushort port)
    {
        var flow = new Flow(2, transport, Proxy, 40000, IpAddr.Parse(address), port, 2_000, opened: true);
        announced.TryApply(flow);
        return flow;
    }

    [Fact]
    public void EachReceivingCandidateIsExpectedWithItsTypeAndCall()
    {
        var (announced, _) = Offer("""
            v=0
            c=IN IP4 10.0.0.5
            m=audio 50000 RTP/AVP 0
            a=candidate:1 1 UDP 2130706431 10.0.0.5 50000 typ host
            a=candidate:2 2 UDP 2130706430 10.0.0.5 50001 typ host
            a=candidate:3 1 UDP 16648703 192.0.2.20 51000 typ relay raddr 203.0.113.5 rport 50500
            a=candidate:4 1 TCP-PASS 174455807 192.0.2.20 52000 typ relay raddr 203.0.113.5 rport 50500
            a=candidate:5 1 TCP-ACT 174848511 10.0.0.5 9 typ host
            """);
        var relay = To(announced, IpProtocol.Udp, "192.0.2.20", 51000);
        Assert.Equal((AppLabel.Rtp, "sdp; media=audio; call-id=call-1; sip=10.0.0.5:5060; candidate=relay"), (relay.App, relay.AppDetail?.ToString()));
        var tcp = To(announced, IpProtocol.Tcp, "192.0.2.20", 52000);
        Assert.Equal((AppLabel.Rtp, "relay"), (tcp.App, tcp.AppDetail?.Find("candidate")));
        // The default repeats the host candidate, which says so; RTCP is component 2.
        Assert.Equal("host", To(announced, IpProtocol.Udp, "10.0.0.5", 50000).AppDetail?.Find("candidate"));
        Assert.Equal(AppLabel.Rtcp, To(announced, IpProtocol.Udp, "10.0.0.5", 50001).App);
        // An active TCP candidate connects out: nothing is expected at its port 9, nor over UDP at a TCP candidate's.
        Assert.Null(To(announced, IpProtocol.Tcp, "10.0.0.5", 9).App);
        Assert.Null(To(announced, IpProtocol.Udp, "192.0.2.20", 52000).App);
        Assert.Equal(4, announced.Count);
    }

    [Fact]
    public void CandidatesPastTheBoundAreIgnored()
    {
        var sdp = new StringBuilder("v=0\nc=IN IP4 10.0.0.5\nm=audio 40000 RTP/AVP 0\na=rtcp-mux\n");
        for (int i = 0; i < SipMediaFollower.MaxCandidatesPerBody + 50; i++)
            sdp.Append($"a=candidate:{i} 1 UDP {i} 10.0.0.5 {50000 + i} typ host\n");
        var (announced, _) = Offer(sdp.ToString());
        Assert.Equal(1 + SipMediaFollower.MaxCandidatesPerBody, announced.Count);
        Assert.Equal(AppLabel.Rtp, To(announced, IpProtocol.Udp, "10.0.0.5", 50000 + SipMediaFollower.MaxCandidatesPerBody - 1).App);
        Assert.Null(To(announced, IpProtocol.Udp, "10.0.0.5", 50000 + SipMediaFollower.MaxCandidatesPerBody).App);
    }
}
