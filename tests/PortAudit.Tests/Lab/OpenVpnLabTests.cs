using PortAudit.Flows.Facts;
using PortAudit.Tests.Inspect;
using Xunit.Abstractions;

namespace PortAudit.Tests.Lab;

/// <summary>
/// OpenVPN with real peers: Debian's openvpn 2.6 as server on fe01 and client on client01 (certificates made per run by
/// openssl, pinned by fingerprint; <c>--dev null</c>, so no tunnel device), four ways at once: over TCP 443 with nothing
/// wrapping the control channel, over UDP 3478 under tls-auth, over TCP 4443 under tls-crypt, over UDP 1195 under
/// tls-crypt-v2 (the client's V3 reset, its wrapped key last). tcpdump captures the four handshakes; each is labelled
/// openvpn, and tshark's OpenVPN dissector, told the ports, finds the same four. The TLS inside the control channel gives
/// the version the server chose (TLS 1.3, openvpn's default) where it is in clear, bare or under tls-auth, and nothing
/// under tls-crypt, which encrypts it. The same capture cut to the server's packets alone is still openvpn where the
/// server's reset is in clear, by the two session IDs it and the next message name. Two
/// more tunnels, over UDP and TCP and captured only once they are up, show their data channels alone (keepalive pings):
/// openvpn too.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class OpenVpnLabTests(ITestOutputHelper output) : IDisposable
{
    private readonly TwoHostLab _lab = new("paovpn");

    public void Dispose() => _lab.Dispose();

    // Transport, server port and the control channel's wrapping of each tunnel ({0}: the static key; {1}: the side's
    // tls-crypt-v2 key), the detail its flow gets, and the detail of the server's side alone (null: not claimed).
    private static readonly (string Transport, int Port, string[] Wrap, string Detail, string? ServerAlone)[] Tunnels =
    [
        ("tcp", 443, [], "reset-v2; version=tls1.3", "server-reset-v2; version=tls1.3"),
        ("udp", 3478, ["--tls-auth", "{0}"], "reset-v2; version=tls1.3", "server-reset-v2; version=tls1.3"),
        ("tcp", 4443, ["--tls-crypt", "{0}"], "reset-v2", null),
        ("udp", 1195, ["--tls-crypt-v2", "{1}"], "reset-v3", null),
    ];

    [LabPeersFact("openvpn:openvpn", "openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Real_openvpn_handshakes_are_openvpn_bare_under_tls_auth_and_under_tls_crypt()
    {
        _lab.Connect();
        string serverFingerprint = Certificate("server"), clientFingerprint = Certificate("client");
        string staticKey = Path.Combine(_lab.Dir, "ta.key");
        _lab.In(_lab.ServerNs, "openvpn", "--genkey", "secret", staticKey);
        string serverV2Key = Path.Combine(_lab.Dir, "tc2-server.key"), clientV2Key = Path.Combine(_lab.Dir, "tc2-client.key");
        _lab.In(_lab.ServerNs, "openvpn", "--genkey", "tls-crypt-v2-server", serverV2Key);
        _lab.In(_lab.ServerNs, "openvpn", "--tls-crypt-v2", serverV2Key, "--genkey", "tls-crypt-v2-client", clientV2Key);
        string capture = Path.Combine(_lab.Dir, "openvpn.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);
        foreach (var (transport, port, wrap, _, _) in Tunnels)
        {
            // tls-auth names its direction: 0 on the server, 1 on the client.
            string[] Wrapped(string side) =>
                [.. wrap.Select(w => string.Format(w, staticKey, side == "server" ? serverV2Key : clientV2Key)),
                    .. wrap.Contains("--tls-auth") ? [side == "server" ? "0" : "1"] : Array.Empty<string>()];
            StartTunnel(transport, port, Wrapped("server"), Wrapped("client"), serverFingerprint, clientFingerprint);
        }
        TwoHostLab.StopCapture(tcpdump, capture);

        var flows = InspectTestData.Inspect(capture).Flows;
        foreach (var (transport, port, _, detail, _) in Tunnels)
        {
            var tunnel = Assert.Single(flows, f => f.Transport == transport && f.ServerPort == port);
            Assert.Equal((AppLabel.OpenVpn, detail), (tunnel.App, tunnel.AppDetail?.ToString()));
        }
        string[] decodeAs = [.. Tunnels.Select(t => $"{t.Transport}.port=={t.Port},openvpn")];
        TsharkLabelAgreementTests.AssertAgreement(output, capture, flows, "openvpn", "openvpn.opcode == 0x07 || openvpn.opcode == 0x0a", decodeAs);

        // The server's packets alone, as a sensor on a path the client's did not take would have them.
        string serverSide = Path.Combine(_lab.Dir, "openvpn-server-side.pcap");
        _lab.In(_lab.ServerNs, "tcpdump", "-r", capture, "-w", serverSide, "src", "host", TwoHostLab.ServerAddress);
        var alone = InspectTestData.Inspect(serverSide).Flows;
        foreach (var (transport, port, _, _, detail) in Tunnels)
        {
            // Over UDP the side heard first is taken for the client until the content says otherwise.
            var tunnel = Assert.Single(alone, f => f.Transport == transport && (f.ServerPort == port || f.ClientPort == port));
            Assert.Equal((detail is null ? null : AppLabel.OpenVpn, detail), (tunnel.App, tunnel.AppDetail?.ToString()));
            if (detail is not null) Assert.Equal((port, 0L), (tunnel.ServerPort, tunnel.PacketsToServer));
        }
        TsharkLabelAgreementTests.AssertAgreement(output, serverSide, alone, "openvpn", "openvpn.opcode == 0x08",
            [.. Tunnels.Where(t => t.ServerAlone is not null).Select(t => $"{t.Transport}.port=={t.Port},openvpn")]);
    }

    [LabPeersFact("openvpn:openvpn", "openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void A_tunnel_captured_after_its_handshake_is_openvpn_by_its_data_channel()
    {
        _lab.Connect();
        string serverFingerprint = Certificate("server"), clientFingerprint = Certificate("client");
        // Keepalive pings every second both ways: the data channel of an idle tunnel, over UDP and over TCP.
        string[] ping = ["--ping", "1"];
        StartTunnel("udp", 3478, ping, ping, serverFingerprint, clientFingerprint);
        StartTunnel("tcp", 443, ping, ping, serverFingerprint, clientFingerprint);
        string capture = Path.Combine(_lab.Dir, "openvpn-data.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);
        Thread.Sleep(4500);
        TwoHostLab.Stop(tcpdump);

        var flows = InspectTestData.Inspect(capture).Flows;
        foreach (var (transport, port) in new[] { ("udp", 3478), ("tcp", 443) })
        {
            // Either side's ping may come first in the capture, and a flow whose opening was not seen has for its client
            // the side heard first.
            var tunnel = Assert.Single(flows, f => f.Transport == transport && (f.ServerPort == port || f.ClientPort == port));
            Assert.Equal((AppLabel.OpenVpn, "data-v2"), (tunnel.App, tunnel.AppDetail?.ToString()));
        }
        // No handshake in the capture (no hard reset, opcodes 7 and 8), only the data channel and whatever control
        // messages still cross; tshark reads data packets (P_DATA_V2) in the same conversations.
        string[] decodeAs = ["udp.port==3478,openvpn", "tcp.port==443,openvpn"];
        Assert.Empty(TsharkLabelAgreementTests.Tshark(capture, "openvpn.opcode == 0x07 || openvpn.opcode == 0x08", decodeAs));
        TsharkLabelAgreementTests.AssertAgreement(output, capture, flows, "openvpn", "openvpn.opcode == 0x09", decodeAs);
    }

    // An openvpn server on fe01 and its client on client01, up to the client's connection.
    private void StartTunnel(string transport, int port, string[] serverOptions, string[] clientOptions, string serverFingerprint,
        string clientFingerprint)
    {
        _lab.Start(_lab.ServerNs, "openvpn", [
            "--dev", "null", "--proto", transport == "tcp" ? "tcp-server" : "udp", "--local", TwoHostLab.ServerAddress,
            "--lport", port.ToString(), "--tls-server", "--dh", "none", .. Credentials("server", clientFingerprint), .. serverOptions,
            "--log", Path.Combine(_lab.Dir, $"server-{port}.log")]);
        _lab.WaitListening(_lab.ServerNs, transport, port, "openvpn");
        string log = Path.Combine(_lab.Dir, $"client-{port}.log");
        _lab.Start(_lab.ClientNs, "openvpn", [
            "--dev", "null", "--proto", transport == "tcp" ? "tcp-client" : "udp", "--nobind", "--remote", TwoHostLab.ServerAddress,
            port.ToString(), "--tls-client", .. Credentials("client", serverFingerprint), .. clientOptions, "--log", log]);
        WaitConnected(log);
    }

    // A self-signed certificate and key for one side, in the run's directory; returns its SHA-256 fingerprint.
    private string Certificate(string side)
    {
        string key = Path.Combine(_lab.Dir, side + ".key"), certificate = Path.Combine(_lab.Dir, side + ".crt");
        _lab.In(_lab.ServerNs, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", $"/CN={side}");
        return _lab.In(_lab.ServerNs, "openssl", "x509", "-in", certificate, "-noout", "-fingerprint", "-sha256").Split('=')[1].Trim();
    }

    private string[] Credentials(string side, string peerFingerprint) =>
        ["--cert", Path.Combine(_lab.Dir, side + ".crt"), "--key", Path.Combine(_lab.Dir, side + ".key"), "--peer-fingerprint", peerFingerprint];

    // The client's log says so once both channels are up.
    private static void WaitConnected(string log)
    {
        for (int i = 0; i < 200; i++)
        {
            if (File.Exists(log) && File.ReadAllText(log).Contains("Initialization Sequence Completed", StringComparison.Ordinal)) return;
            Thread.Sleep(100);
        }
        Assert.Fail($"openvpn did not connect: {(File.Exists(log) ? File.ReadAllText(log) : "no log")}");
    }
}
