using PortAudit.Flows.Facts;
using PortAudit.Tests.Inspect;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Lab;

/// <summary>
/// WireGuard with real peers: wireguard-go (the userspace implementation) on client01 and fe01, fe01 listening on UDP
/// 3478, the port an A/V Edge allows for STUN and MS-TURN. A TCP echo crosses the tunnel twice; one tcpdump captures
/// from before the handshake, a second begins after it, so that it holds transport data alone (a sensor started while
/// the tunnel was up). Both flows are labelled wireguard, by their handshake and by their transport data, and tshark's
/// WireGuard dissector finds the same conversations in each capture.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class WireGuardLabTests(ITestOutputHelper output) : IDisposable
{
    private const int ServerPort = 3478, ClientPort = 40001, EchoPort = 7000;
    private const string ClientTunnel = "10.88.0.1", ServerTunnel = "10.88.0.2";

    private readonly TwoHostLab _lab = new("pawg");

    // wireguard-go's control socket is /var/run/wireguard/NAME.sock, one directory for every namespace: the names are
    // the run's own, and the sockets go with the lab (the daemons are killed, which leaves them behind).
    private string ClientName => _lab.ClientNs.Replace("-", "", StringComparison.Ordinal);
    private string ServerName => _lab.ServerNs.Replace("-", "", StringComparison.Ordinal);

    public void Dispose()
    {
        _lab.Dispose();
        foreach (string name in new[] { ClientName, ServerName }) File.Delete($"/var/run/wireguard/{name}.sock");
    }

    [LabPeersFact("wireguard-go:wireguard-go", "wg:wireguard-tools", "socat:socat", "tcpdump:tcpdump", "tshark:tshark")]
    public void A_real_tunnel_is_wireguard_from_its_handshake_and_from_its_transport_data_alone()
    {
        _lab.Connect();
        string clientName = ClientName, serverName = ServerName;
        var (clientKey, clientPublic) = KeyPair("client");
        var (serverKey, serverPublic) = KeyPair("server");
        Tunnel(_lab.ServerNs, serverName, serverKey, ServerPort, clientPublic, ClientTunnel, ServerTunnel, endpoint: null);
        Tunnel(_lab.ClientNs, clientName, clientKey, ClientPort, serverPublic, ServerTunnel, ClientTunnel,
            endpoint: $"{TwoHostLab.ServerAddress}:{ServerPort}");
        _lab.Start(_lab.ServerNs, "socat", [$"TCP-LISTEN:{EchoPort},bind={ServerTunnel},reuseaddr,fork", "EXEC:cat"]);
        _lab.WaitListening(_lab.ServerNs, "tcp", EchoPort, "socat");

        string whole = Path.Combine(_lab.Dir, "whole.pcap"), afterHandshake = Path.Combine(_lab.Dir, "after-handshake.pcap");
        var first = _lab.CaptureOnClient(whole);
        Echo("first");
        var second = _lab.CaptureOnClient(afterHandshake);
        Echo("second");
        Thread.Sleep(300);
        TwoHostLab.Stop(second);
        TwoHostLab.Stop(first);

        foreach (var (capture, detail) in new[] { (whole, "handshake"), (afterHandshake, "transport") })
        {
            var flows = InspectTestData.Inspect(capture).Flows;
            var tunnel = Assert.Single(flows, f => f.Transport == "udp" && f.ServerPort == ServerPort);
            Assert.Equal((AppLabel.WireGuard, detail, ClientPort), (tunnel.App, tunnel.AppDetail?.ToString(), (int)tunnel.ClientPort));
            TsharkLabelAgreementTests.AssertAgreement(output, capture, flows, "wireguard", "wg");
        }
        // The second capture began after the handshake: transport data (type 4) alone, both ways.
        string types = External.Run("tshark", "-r", afterHandshake, "-Y", "wg", "-T", "fields", "-e", "wg.type");
        Assert.Equal(["4"], types.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct());
    }

    private (string Private, string Public) KeyPair(string name)
    {
        string path = Path.Combine(_lab.Dir, name + ".key");
        File.WriteAllText(path, _lab.In(_lab.ClientNs, "wg", "genkey"));
        var result = _lab.Run(_lab.ClientNs, "wg", ["pubkey"], standardInput: File.ReadAllBytes(path));
        Assert.True(result.ExitCode == 0, $"wg pubkey: {result.StandardError}");
        return (path, result.StandardOutput.Trim());
    }

    // One end: wireguard-go in the foreground, its key, port and peer set with wg, its tunnel address up.
    private void Tunnel(string ns, string name, string key, int port, string peer, string peerAddress, string address, string? endpoint)
    {
        _lab.Start(ns, "wireguard-go", ["-f", name]);
        for (int i = 0; i < 100 && _lab.Run(ns, "wg", ["show", name]).ExitCode != 0; i++) Thread.Sleep(100);
        string[] set = ["set", name, "private-key", key, "listen-port", port.ToString(), "peer", peer, "allowed-ips", peerAddress + "/32"];
        _lab.In(ns, "wg", endpoint is null ? set : [.. set, "endpoint", endpoint]);
        TwoHostLab.Ip("-n", ns, "addr", "add", address + "/24", "dev", name);
        TwoHostLab.Ip("-n", ns, "link", "set", name, "up");
    }

    // A line to the echo server across the tunnel and back.
    private void Echo(string line)
    {
        var result = _lab.Run(_lab.ClientNs, "socat", ["-t", "2", "-", $"TCP:{ServerTunnel}:{EchoPort}"], TimeSpan.FromSeconds(20),
            System.Text.Encoding.ASCII.GetBytes(line + "\n"));
        Assert.True(result.ExitCode == 0 && result.StandardOutput.Trim() == line, $"echo over the tunnel: {result.StandardOutput} {result.StandardError}");
    }
}
