using PortAudit.Audit;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Inspect;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Lab;

/// <summary>
/// TLS on a domain controller's LDAPS port with real peers: openssl s_server on fe01's 636, as TLS 1.2, once selecting
/// h2 by ALPN and then with no ALPN at all; openssl s_client on client01 offering h2 to both. tcpdump captures them; the
/// ServerHello's selected protocol is read as tshark reads it, and the repository catalog's ldaps rule judges the first
/// a protocol-mismatch and the second, where only the client asked for h2, expected.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class TlsAlpnLabTests : IDisposable
{
    private const int Ldaps = 636;

    private readonly TwoHostLab _lab = new("paalpn");

    public void Dispose() => _lab.Dispose();

    private static readonly string Site = $"""
        hosts:
          - name: dc01
            addresses: [{TwoHostLab.ServerAddress}]
            roles: [domain-controller]
          - name: ws
            addresses: [{TwoHostLab.ClientAddress}]
            roles: [workstation]
        segments:
          - name: lan
            cidrs: [10.77.0.0/24]
            zone: internal
        """;

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Openssl_selecting_h2_on_ldaps_is_a_protocol_mismatch_and_a_client_offer_alone_is_not()
    {
        _lab.Connect();
        string cert = Path.Combine(_lab.Dir, "cert.pem"), key = Path.Combine(_lab.Dir, "key.pem");
        _lab.In(_lab.ServerNs, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "1", "-subj", "/CN=dc01");
        string capture = Path.Combine(_lab.Dir, "alpn.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);
        // One server after the other on the same port, each for one connection: the first selects h2, the second has no ALPN.
        // -www: without it s_server ends each connection once its standard input (none here) is at its end.
        foreach (string[] alpn in new[] { new[] { "-alpn", "h2" }, [] })
        {
            var server = _lab.Start(_lab.ServerNs, "openssl", ["s_server", "-accept", Ldaps.ToString(), "-tls1_2", .. alpn,
                "-cert", cert, "-key", key, "-naccept", "1", "-www"]);
            _lab.WaitListening(_lab.ServerNs, "tcp", Ldaps, "openssl s_server");
            _lab.Run(_lab.ClientNs, "openssl", ["s_client", "-connect", $"{TwoHostLab.ServerAddress}:{Ldaps}", "-alpn", "h2", "-brief"],
                TimeSpan.FromSeconds(10), "Q\n"u8.ToArray());
            server.WaitForExit(5000);
            TwoHostLab.Stop(server);
        }
        Thread.Sleep(300);
        TwoHostLab.Stop(tcpdump);

        var flows = InspectTestData.Inspect(capture).Flows.Where(f => f.ServerPort == Ldaps).OrderBy(f => f.Id).ToList();
        Assert.Equal([(AppLabel.Tls, "alpn=h2; version=tls1.2; alpn-selected=h2"), (AppLabel.Tls, "alpn=h2; version=tls1.2")],
            flows.Select(f => (f.App, f.AppDetail?.ToString())));
        // tshark reads the same: h2 offered by both clients, selected by the first server only.
        string tshark = External.Run("tshark", "-r", capture, "-Y", "tls.handshake.type == 2", "-T", "fields",
            "-e", "tls.handshake.extensions_alpn_str");
        Assert.Equal(["h2", ""], tshark.Split('\n')[..2]);

        var auditor = RepositoryAuditor(Site);
        var mismatch = auditor.Audit(flows[0]);
        Assert.Equal(Verdict.ProtocolMismatch, mismatch.Verdict);
        Assert.Equal("inspection found 'tls' carrying h2 (HTTP/2, selected by the server by ALPN) where rule " +
                     "kb832017-domain-controller-ldaps-tcp-636 expects ldaps", mismatch.Reason);
        Assert.Equal(Verdict.Expected, auditor.Audit(flows[1]).Verdict);
    }
}
