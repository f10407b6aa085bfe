using PortAudit.Flows;
using PortAudit.Tests.Inspect;

namespace PortAudit.Tests.Lab;

/// <summary>Connections between real openssl peers in a <see cref="TwoHostLab"/>, captured by tcpdump and inspected.</summary>
internal static class OpensslExchanges
{
    /// <summary>
    /// One connection a run from client01 to fe01's <paramref name="port"/> (<paramref name="layer"/>: tls over TCP, dtls
    /// over UDP): an openssl s_server with <paramref name="serverOptions"/> and the run's own options for that connection
    /// alone, an openssl s_client with the run's options; captured into <paramref name="capture"/>, their flows in order.
    /// The server presents a self-signed RSA 2048 certificate unless a run's options name another (<c>-cert</c>, <c>-key</c>: the last given is openssl's).
    /// </summary>
    public static List<Flow> Run(TwoHostLab lab, string capture, int port, string layer, string[] serverOptions,
        params (string[] Server, string[] Client)[] runs)
    {
        lab.Connect();
        string cert = Path.Combine(lab.Dir, "cert.pem"), key = Path.Combine(lab.Dir, "key.pem");
        lab.In(lab.ServerNs, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "1", "-subj", "/CN=fe01");
        var tcpdump = lab.CaptureOnClient(capture);
        bool udp = layer == "dtls";
        // One server after the other on the same port, each for one connection. In DTLS s_server has no -www and ends at
        // its input's end: its input is held open instead.
        foreach (var (serverRun, clientRun) in runs)
        {
            var server = lab.Start(lab.ServerNs, "openssl", ["s_server", .. serverOptions, "-accept", port.ToString(),
                "-cert", cert, "-key", key, .. serverRun, "-naccept", "1"], holdInput: udp);
            lab.WaitListening(lab.ServerNs, udp ? "udp" : "tcp", port, "openssl s_server");
            var client = lab.Run(lab.ClientNs, "openssl", ["s_client", .. clientRun, "-connect", $"{TwoHostLab.ServerAddress}:{port}",
                "-brief"], TimeSpan.FromSeconds(10), "Q\n"u8.ToArray());
            Assert.True(client.ExitCode == 0, $"openssl s_client: {client.StandardError}");
            server.WaitForExit(5000);
            TwoHostLab.Stop(server);
        }
        TwoHostLab.StopCapture(tcpdump, capture);
        return InspectTestData.Inspect(capture).Flows.Where(f => f.ServerPort == port).OrderBy(f => f.Id).ToList();
    }
}
