using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// The tunnels and proxies of the bench's base capture (public captures laid end to end), against tshark: the OpenVPN,
/// SOCKS, HTTP CONNECT and mid-tunnel WireGuard flows inspection names are the conversations tshark decodes as those protocols when
/// told their ports (it finds OpenVPN on 1194, SOCKS on 1080 and WireGuard by a heuristic, so several of these only
/// when told). Each flow's own port is what tshark is told, so the check is that tshark reads, in every one of them, the
/// message that named it: a hard reset, a SOCKS request, WireGuard transport data both ways.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class TunnelTsharkTests(ITestOutputHelper output)
{
    private static readonly Lazy<List<Flow>> Flows = new(() => InspectTestData.Inspect(SharedData.Path("bench/base.pcap")!).Flows);

    // Ten flows with the client's reset, and 69.197.143.179:443 over UDP, where only the server's side was captured.
    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void OpenVpnIsWhereTsharkReadsAHardReset()
    {
        Agree(AppLabel.OpenVpn, "openvpn", "openvpn.opcode == 0x07 || openvpn.opcode == 0x08", expected: 11);
        var alone = Assert.Single(Flows.Value, f => f.App == AppLabel.OpenVpn && f.AppDetail?.ToString().StartsWith("server-reset") == true);
        Assert.Equal(("udp", 443, 0L), (alone.Transport, alone.ServerPort, alone.PacketsToServer));
    }

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void SocksIsWhereTsharkReadsASocksRequest() =>
        Agree(AppLabel.Socks, "socks", "socks.command", expected: 5);

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void HttpProxyIsWhereTsharkReadsAConnectRequestAndNowhereElse()
    {
        var flow = Assert.Single(Flows.Value, f => f.App == AppLabel.HttpProxy);
        Assert.Equal("CONNECT; target=apache.org:443; reply=200", flow.AppDetail?.ToString());
        TsharkLabelAgreementTests.AssertAgreement(output, SharedData.Path("bench/base.pcap")!, Flows.Value, "http-proxy",
            "http.request.method == \"CONNECT\"");
    }

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void WireGuardTransportAloneIsWhereTsharkReadsTransportData()
    {
        var transport = Flows.Value.Where(f => f.App == AppLabel.WireGuard && f.AppDetail?.ToString() == "transport").ToList();
        Assert.Equal(2, transport.Count);
        var tshark = TsharkLabelAgreementTests.Tshark(SharedData.Path("bench/base.pcap")!, "wg.type == 4",
            [.. transport.Select(f => $"udp.port=={f.ServerPort},wg")]);
        Assert.Subset(tshark, transport.Select(TsharkLabelAgreementTests.Key).ToHashSet());
    }

    // Ours, and tshark's conversations with the filter's message when told each of our flows' ports: the same.
    private void Agree(AppLabel label, string dissector, string filter, int expected)
    {
        var ours = Flows.Value.Where(f => f.App == label).ToList();
        output.WriteLine(string.Join("\n", ours.Select(f => $"{TsharkLabelAgreementTests.Key(f)}: {f.AppDetail}")));
        Assert.Equal(expected, ours.Count);
        var decodeAs = ours.Select(f => $"{f.Transport}.port=={f.ServerPort},{dissector}").Distinct().ToArray();
        var tshark = TsharkLabelAgreementTests.Tshark(SharedData.Path("bench/base.pcap")!, filter, decodeAs);
        Assert.Subset(tshark, ours.Select(TsharkLabelAgreementTests.Key).ToHashSet());
    }
}
