using System.Text;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// An HTTP flow whose first bytes are a response: base.pcap's 192.168.2.105:59144 -> 54.161.101.85:80 was captured from
/// the server's "HTTP/1.1 200 OK" to a request the capture does not hold, then the client's GET to livesim.dashif.org
/// (tshark frames 38801 and 38804). The flow is named by the request that follows, not by the status of another's answer.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class HttpResponseFirstTests
{
    private static readonly IpAddr Client = IpAddr.FromV4(0xC0A80269), Server = IpAddr.FromV4(0x36A16555);
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 4\r\n\r\nftyp");
    private const string Request = "GET /livesim/206598098.m4s HTTP/1.1\r\nHost: livesim.dashif.org\r\nUser-Agent: VLC/3.0.16\r\n\r\n";

    // A flow joined midstream (no SYN): the segments in turn, each (from the client?, bytes); its appDetail.
    private static Flow Midstream(params (bool FromClient, byte[] Bytes)[] segments) => Midstream(80, segments);

    // As above, the server on serverPort: on a port of 1024 or more as the client's, the first packet's sender is
    // taken for the client.
    private static Flow Midstream(ushort serverPort, params (bool FromClient, byte[] Bytes)[] segments) =>
        InspectorHarness.Midstream(Client, 59144, Server, serverPort, segments);

    [Fact]
    public void TheRequestAfterAnEarlierAnswerNamesTheFlow()
    {
        // Was "200": the answer settled the flow before the client's request was read.
        var flow = Midstream((false, Answer), (true, Encoding.ASCII.GetBytes(Request)));
        Assert.Equal((AppLabel.Http, "GET; host=livesim.dashif.org"), (flow.App, flow.AppDetail?.ToString()));
        // As it is when the request comes first.
        flow = Midstream((true, Encoding.ASCII.GetBytes(Request)), (false, Answer));
        Assert.Equal("GET; host=livesim.dashif.org", flow.AppDetail?.ToString());
    }

    [Fact]
    public void ARequestHeadCutIntoSegmentsAfterTheAnswerIsReadWhole()
    {
        var bytes = Encoding.ASCII.GetBytes(Request);
        var flow = Midstream((false, Answer), (true, bytes[..20]), (false, Answer), (true, bytes[20..45]), (true, bytes[45..]));
        Assert.Equal("GET; host=livesim.dashif.org", flow.AppDetail?.ToString());
        // A head that never ends gives its lines whole, as a request seen first does.
        flow = Midstream((false, Answer), (true, bytes[..70]));
        Assert.Equal("GET; host=livesim.dashif.org", flow.AppDetail?.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnAnswerWithNoRequestAfterItSaysItsRequestWasUnseen(bool clientSpeaks)
    {
        // Was "200", as if it answered a request of this flow. Bytes from the client that are no request leave it so.
        var flow = clientSpeaks ? Midstream((false, Answer), (true, [0x16, 0x03, 0x01, 0x00])) : Midstream((false, Answer));
        Assert.Equal((AppLabel.Http, "200; request-unseen"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void ARequestPastTheAnswerersLimitsIsNotAwaited()
    {
        // The answering side's ten segments and 4 KiB end the wait: a request after them is not read.
        var segments = new List<(bool, byte[])> { (false, Answer) };
        for (int i = 0; i < 10; i++) segments.Add((false, new byte[512]));
        segments.Add((true, Encoding.ASCII.GetBytes(Request)));
        Assert.Equal("200; request-unseen", Midstream([.. segments]).AppDetail?.ToString());
    }

    [Fact]
    public void AConnectAfterAnEarlierAnswerTakesTheAnswerAfterIt()
    {
        // Was "reply=200": the server's stream is shown from its start, and its first status line, the answer to a
        // request the capture does not hold, was taken for the CONNECT's. tshark reads 403 as the answer after the CONNECT.
        var connect = Encoding.ASCII.GetBytes("CONNECT pastebin.com:443 HTTP/1.1\r\nHost: pastebin.com:443\r\n\r\n");
        var refusal = Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        var flow = Midstream((false, Answer), (true, connect), (false, refusal));
        Assert.Equal((AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443; reply=403"), (flow.App, flow.AppDetail?.ToString()));
        // The earlier answer in several segments, all before the CONNECT: none of it is the CONNECT's.
        flow = Midstream((false, Answer[..20]), (false, Answer[20..]), (true, connect), (false, refusal[..10]), (false, refusal[10..]));
        Assert.Equal("CONNECT; target=pastebin.com:443; reply=403", flow.AppDetail?.ToString());
        // No answer after the CONNECT: none is given.
        Assert.Equal("CONNECT; target=pastebin.com:443", Midstream((false, Answer), (true, connect)).AppDetail?.ToString());
    }

    [Fact]
    public void AProxysAnswerSeenFirstMakesItTheServer()
    {
        // Was the other way round: a capture joined at a proxy's "200 Connection established" on 3128 took the proxy, the
        // first packet's sender, for the client, and the client's TLS after it for the server's.
        var established = Encoding.ASCII.GetBytes("HTTP/1.1 200 Connection established\r\n\r\n");
        byte[] hello = [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00];
        var flow = Midstream(3128, (false, established), (true, hello));
        Assert.Equal((Client, (ushort)59144, Server, (ushort)3128), (flow.Client, flow.ClientPort, flow.Server, flow.ServerPort));
        Assert.Equal((AppLabel.Http, "200; request-unseen", FlowSides.Content), (flow.App, flow.AppDetail?.ToString(), flow.Sides));
        // The CONNECT after it (captured late, behind the answer that acknowledged it): the client's, read as the flow's,
        // the answer before it none of its own.
        var connect = Encoding.ASCII.GetBytes("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        flow = Midstream(3128, (false, established), (true, connect), (true, hello));
        Assert.Equal((Client, Server, "CONNECT; target=example.com:443"), (flow.Client, flow.Server, flow.AppDetail?.ToString()));
        // A request from the side the ports took for the server turns the flow too: a capture joined in the body of
        // an answer on 8080 (the rest of a PNG), then the client's next request.
        flow = Midstream(8080, (false, [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]), (true, Encoding.ASCII.GetBytes(Request)));
        Assert.Equal((Client, Server, "GET; host=livesim.dashif.org"), (flow.Client, flow.Server, flow.AppDetail?.ToString()));
    }
}
