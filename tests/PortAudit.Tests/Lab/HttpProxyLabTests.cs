using PortAudit.Flows.Facts;
using PortAudit.Tests.Inspect;
using Xunit.Abstractions;

namespace PortAudit.Tests.Lab;

/// <summary>
/// An HTTP proxy with real peers: tinyproxy on fe01 listening on TCP 80, where the reverse proxy's rule allows web
/// traffic, a web server beside it, and curl on client01 going through the proxy three ways: a tunnel by CONNECT to the
/// web server's port, which the proxy opens; a CONNECT to a port the proxy refuses; and a plain proxied request, in
/// absolute form. tcpdump captures them; the two CONNECTs are http-proxy with their target and the proxy's answer, the
/// plain request stays http, and tshark finds CONNECT requests in the same two conversations.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class HttpProxyLabTests(ITestOutputHelper output) : IDisposable
{
    private const int ProxyPort = 80, WebPort = 8080, RefusedPort = 8443;

    private readonly TwoHostLab _lab = new("paproxy");

    public void Dispose() => _lab.Dispose();

    [LabPeersFact("tinyproxy:tinyproxy", "curl:curl", "python3:python3", "tcpdump:tcpdump", "tshark:tshark")]
    public void Curl_through_tinyproxy_connect_is_http_proxy_with_its_target_and_answer()
    {
        _lab.Connect();
        string config = Path.Combine(_lab.Dir, "tinyproxy.conf");
        File.WriteAllText(config, $"""
            Port {ProxyPort}
            Listen {TwoHostLab.ServerAddress}
            Timeout 30
            LogFile "{_lab.Dir}/tinyproxy.log"
            PidFile "{_lab.Dir}/tinyproxy.pid"
            MaxClients 10
            Allow {TwoHostLab.ClientAddress}
            ConnectPort {WebPort}
            """);
        _lab.Start(_lab.ServerNs, "tinyproxy", ["-d", "-c", config]);
        _lab.ServePage(WebPort);
        _lab.WaitListening(_lab.ServerNs, "tcp", ProxyPort, "tinyproxy");
        string capture = Path.Combine(_lab.Dir, "proxy.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);
        string proxy = $"http://{TwoHostLab.ServerAddress}:{ProxyPort}";
        string tunnelled = $"{TwoHostLab.ServerAddress}:{WebPort}", refused = $"{TwoHostLab.ServerAddress}:{RefusedPort}";
        Fetch(["--proxytunnel"], proxy, tunnelled, expectServed: true);
        // tinyproxy opens tunnels only to its ConnectPort ports: this CONNECT is answered 403.
        Fetch(["--proxytunnel"], proxy, refused, expectServed: false);
        Fetch([], proxy, tunnelled, expectServed: true);
        TwoHostLab.StopCapture(tcpdump, capture);

        var flows = InspectTestData.Inspect(capture).Flows;
        var details = flows.Where(f => f.ServerPort == ProxyPort).OrderBy(f => f.Id).Select(f => (f.App, f.AppDetail?.ToString())).ToList();
        Assert.Equal([
            (AppLabel.HttpProxy, $"CONNECT; target={tunnelled}; reply=200"),
            (AppLabel.HttpProxy, $"CONNECT; target={refused}; reply=403"),
            (AppLabel.Http, $"GET; host={tunnelled}"),
        ], details);
        TsharkLabelAgreementTests.AssertAgreement(output, capture, flows, "http-proxy", "http.request.method == \"CONNECT\"",
            $"tcp.port=={ProxyPort},http");
    }

    private void Fetch(string[] how, string proxy, string target, bool expectServed) => _lab.AssertFetch([.. how, "-x", proxy], target, expectServed);
}
