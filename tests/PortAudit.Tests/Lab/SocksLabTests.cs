using PortAudit.Flows.Facts;
using PortAudit.Tests.Inspect;
using Xunit.Abstractions;

namespace PortAudit.Tests.Lab;

/// <summary>
/// SOCKS with real peers: Dante's server (danted) on fe01 listening on TCP 443, a web server beside it, and curl on
/// client01 fetching a page through the proxy four ways: SOCKS5 to an address and to a name, SOCKS4 to an address, SOCKS4a
/// to a name. tcpdump captures them; each is labelled socks with the destination it asked for, and tshark's SOCKS
/// dissector, told the port, finds the same four conversations.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class SocksLabTests(ITestOutputHelper output) : IDisposable
{
    private const int ProxyPort = 443, WebPort = 8080;

    private readonly TwoHostLab _lab = new("pasocks");

    public void Dispose() => _lab.Dispose();

    [LabPeersFact("/usr/sbin/danted:dante-server", "curl:curl", "python3:python3", "tcpdump:tcpdump", "tshark:tshark")]
    public void Curl_through_dante_is_socks_with_the_destination_each_version_asked_for()
    {
        _lab.Connect();
        string config = Path.Combine(_lab.Dir, "danted.conf");
        File.WriteAllText(config, $"""
            logoutput: {_lab.Dir}/danted.log
            internal: {TwoHostLab.ServerAddress} port = {ProxyPort}
            external: {TwoHostLab.ServerAddress}
            clientmethod: none
            socksmethod: none
            user.unprivileged: root
            client pass {"{"} from: 0.0.0.0/0 to: 0.0.0.0/0 {"}"}
            socks pass {"{"} from: 0.0.0.0/0 to: 0.0.0.0/0 {"}"}
            """);
        _lab.Start(_lab.ServerNs, "/usr/sbin/danted", ["-f", config, "-p", Path.Combine(_lab.Dir, "danted.pid"), "-N", "1"]);
        _lab.ServePage(WebPort);
        _lab.WaitListening(_lab.ServerNs, "tcp", ProxyPort, "danted");
        string capture = Path.Combine(_lab.Dir, "socks.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);
        string proxy = $"{TwoHostLab.ServerAddress}:{ProxyPort}", byAddress = $"{TwoHostLab.ServerAddress}:{WebPort}", byName = $"localhost:{WebPort}";
        Fetch("--socks5", proxy, byAddress, expectServed: true);
        Fetch("--socks5-hostname", proxy, byName, expectServed: true);
        Fetch("--socks4", proxy, byAddress, expectServed: true);
        // Dante refuses SOCKS4a's names; the exchange is still SOCKS, its reply a rejection.
        Fetch("--socks4a", proxy, byName, expectServed: false);
        TwoHostLab.StopCapture(tcpdump, capture);

        var flows = InspectTestData.Inspect(capture).Flows;
        var details = flows.Where(f => f.ServerPort == ProxyPort).OrderBy(f => f.Id).Select(f => (f.App, f.AppDetail?.ToString())).ToList();
        Assert.Equal([
            (AppLabel.Socks, $"version=5; auth=none; connect={byAddress}"),
            (AppLabel.Socks, $"version=5; auth=none; connect={byName}"),
            (AppLabel.Socks, $"version=4; reply=granted; connect={byAddress}"),
            (AppLabel.Socks, $"version=4; reply=rejected; connect={byName}"),
        ], details);
        TsharkLabelAgreementTests.AssertAgreement(output, capture, flows, "socks", "socks", $"tcp.port=={ProxyPort},socks");
    }

    private void Fetch(string version, string proxy, string target, bool expectServed) => _lab.AssertFetch([version, proxy], target, expectServed);
}
