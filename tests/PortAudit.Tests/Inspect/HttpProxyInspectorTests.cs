using PortAudit.Audit;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// An HTTP proxy's tunnel: a CONNECT request is http-proxy with the target it asked for and the proxy's answer, and at
/// the reverse proxy, whose rule allows web traffic on 80, it is a protocol-mismatch, where a page request is expected.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class HttpProxyInspectorTests
{
    private static readonly byte[] Connect = Ascii("CONNECT pastebin.com:443 HTTP/1.1\r\nHost: pastebin.com:443\r\nUser-Agent: curl/7.88.1\r\n\r\n");
    private static readonly byte[] Established = Ascii("HTTP/1.1 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n");
    private static readonly byte[] Forbidden = Ascii("HTTP/1.1 403 Access violation\r\nContent-Type: text/html\r\n\r\n<html>");

    private static (InspectResult Result, AppLabel? Label, string? Detail) Http(params (bool FromClient, byte[] Data)[] turns)
    {
        var flow = NewFlow(tcp: true, serverPort: 80);
        var result = Conversation(new HttpInspector(), flow, true, turns);
        return (result, flow.App, flow.AppDetail?.ToString());
    }

    [Fact]
    public void ConnectIsAProxyTunnelNamedByItsTargetAndTheProxysAnswer()
    {
        Assert.Equal((InspectResult.Partial, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443"), Http((true, Connect)));
        Assert.Equal((InspectResult.Match, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443; reply=200"),
            Http((true, Connect), (false, Established)));
        Assert.Equal((InspectResult.Match, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443; reply=403"),
            Http((true, Connect), (false, Forbidden)));
        // The client's stream is shown again from its request, with the tunnel's first bytes after it: still claimed, the
        // detail unchanged.
        Assert.Equal((InspectResult.Partial, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443"),
            Http((true, Connect), (true, [.. Connect, 0x16, 3, 1, 0, 200])));
    }

    [Fact]
    public void ADemandForCredentialsIsPassedOverForTheAnswerToTheRequestAfterIt()
    {
        byte[] demand = Ascii("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 5\r\n\r\ndeny!");
        byte[] again = [.. Connect, .. Ascii("CONNECT pastebin.com:443 HTTP/1.1\r\nProxy-Authorization: Basic YTpi\r\n\r\n")];
        // The demand alone: the client may ask again, so the claim waits, saying what the proxy answered so far.
        Assert.Equal((InspectResult.NeedMore, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443; reply=407"),
            Http((true, Connect), (false, demand)));
        Assert.Equal((InspectResult.Match, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443; reply=200"),
            Http((true, Connect), (false, demand), (true, again), (false, [.. demand, .. Established])));
        // An interim answer before the tunnel opens.
        Assert.Equal((InspectResult.Match, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443; reply=200"),
            Http((true, Connect), (false, [.. Ascii("HTTP/1.1 100 Continue\r\n\r\n"), .. Established])));
        // A body whose length cannot be read ends the reading at the demand.
        Assert.Equal("CONNECT; target=pastebin.com:443; reply=407",
            Http((true, Connect), (false, [.. Ascii("HTTP/1.1 407 No\r\nContent-Length: -3\r\n\r\n"), .. Established])).Detail);
    }

    [Fact]
    public void TheProxysAnswerIsWaitedForWhileItCouldStillBeAStatusLine()
    {
        for (int length = 1; length < "HTTP/1.1 200 Connection established\r\n".Length; length++)
            Assert.Equal(InspectResult.NeedMore, Http((true, Connect), (false, Established[..length])).Result);
        // Anything else from the server settles the claim with the request's detail alone.
        Assert.Equal((InspectResult.Match, AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443"),
            Http((true, Connect), (false, [0x16, 3, 3, 0, 90])));
    }

    [Fact]
    public void OtherRequestsStayHttpAbsoluteFormIncluded()
    {
        // An origin server must accept a request in absolute form (RFC 9112 3.2.2): it proves no proxy.
        var (result, label, detail) = Http((true, Ascii("GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n\r\n")));
        Assert.Equal((InspectResult.Match, null, "GET; host=example.org"), (result, label, detail));
        Assert.Equal((InspectResult.Match, null, "POST; host=rp.contoso.com"),
            Http((true, Ascii("POST /webticket HTTP/1.1\r\nHost: rp.contoso.com\r\n\r\n"))));
    }

    [Fact]
    public void AHostileTargetIsBoundedAndPrintable()
    {
        string longName = new('a', 600);
        var (_, label, detail) = Http((true, Ascii($"CONNECT {longName}:443 HTTP/1.1\r\n\r\n")));
        Assert.Equal(AppLabel.HttpProxy, label);
        Assert.True(detail!.Length < 300, detail);
        (_, _, detail) = Http((true, [.. "CONNECT evil\x01\x7f.example:443 HTTP/1.1\r\n\r\n"u8]));
        Assert.NotNull(detail);
        Assert.DoesNotContain('\x01', detail);
        Assert.DoesNotContain('\x7f', detail);
    }

    [Fact]
    public void AtTheReverseProxyAConnectOnItsWebPortIsAProtocolMismatchAndAPageIsNot()
    {
        const string reverseProxy = "172.20.0.30";
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("connect-at-the-reverse-proxy", 1_700_000_000)
            .TcpSession(TunnelInspectorTests.Internet, reverseProxy, 80, 1,
                [new(0.01, true, Connect), new(0.02, false, Established), new(0.03, true, [0x16, 3, 1, 0, 4, 1, 0, 0, 0])], clientPort: 50001)
            .TcpSession(TunnelInspectorTests.Internet, reverseProxy, 80, 2,
                [new(0.01, true, Ascii("GET /meet/alice HTTP/1.1\r\nHost: meet.contoso.com\r\n\r\n")),
                 new(0.02, false, Ascii("HTTP/1.1 302 Found\r\nLocation: https://meet.contoso.com/meet/alice\r\n\r\n"))], clientPort: 50002));
        var byPort = flows.ToDictionary(f => f.Flow.ClientPort);
        Assert.Equal((AppLabel.HttpProxy, "CONNECT; target=pastebin.com:443; reply=200", Verdict.ProtocolMismatch),
            (byPort[50001].Flow.App, byPort[50001].Flow.AppDetail?.ToString(), byPort[50001].Verdict.Verdict));
        Assert.Contains("'http-proxy'", byPort[50001].Verdict.Reason);
        Assert.Equal((AppLabel.Http, Verdict.Expected), (byPort[50002].Flow.App, byPort[50002].Verdict.Verdict));
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "80");
    }
}
