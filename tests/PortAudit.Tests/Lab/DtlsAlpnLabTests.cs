using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Inspect;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Lab;

/// <summary>
/// DTLS on a SIP server's 5061/udp with real peers: openssl s_server on fe01, as DTLS 1.2, once selecting h2 by ALPN and
/// then with no ALPN at all; openssl s_client on client01 offering h2 to both. tcpdump captures them; the ServerHello's
/// selected protocol is read as tshark reads it, and a rule for SIP over DTLS (sip-tls on 5061/udp) judges the first a
/// protocol-mismatch and the second, where only the client asked for h2, expected.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class DtlsAlpnLabTests : IDisposable
{
    private const int SipTls = 5061;

    private readonly TwoHostLab _lab = new("padtls");

    public void Dispose() => _lab.Dispose();

    private static readonly RoleCatalog SipCatalog = new(
        [new Role("any", "wildcard"), new Role("workstation", "w"), new Role("sip-server", "s")],
        [],
        [MakeRule("sip-dtls", "workstation", "sip-server", SipTls, SipTls, "sip-tls", transport: Transport.Udp)]);

    private static readonly string Site = $"""
        hosts:
          - name: sip01
            addresses: [{TwoHostLab.ServerAddress}]
            roles: [sip-server]
          - name: ws
            addresses: [{TwoHostLab.ClientAddress}]
            roles: [workstation]
        segments:
          - name: lan
            cidrs: [10.77.0.0/24]
            zone: internal
        """;

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Openssl_selecting_h2_in_dtls_on_a_sip_tls_port_is_a_protocol_mismatch_and_a_client_offer_alone_is_not()
    {
        _lab.Connect();
        string cert = Path.Combine(_lab.Dir, "cert.pem"), key = Path.Combine(_lab.Dir, "key.pem");
        _lab.In(_lab.ServerNs, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "1", "-subj", "/CN=sip01");
        string capture = Path.Combine(_lab.Dir, "dtls-alpn.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);
        // One server after the other on the same port, each for one connection: the first selects h2, the second has no ALPN.
        foreach (string[] alpn in new[] { new[] { "-alpn", "h2" }, [] })
        {
            var server = _lab.Start(_lab.ServerNs, "openssl", ["s_server", "-dtls1_2", "-accept", SipTls.ToString(), .. alpn,
                "-cert", cert, "-key", key, "-naccept", "1"], holdInput: true);
            _lab.WaitListening(_lab.ServerNs, "udp", SipTls, "openssl s_server");
            var client = _lab.Run(_lab.ClientNs, "openssl", ["s_client", "-dtls1_2", "-connect", $"{TwoHostLab.ServerAddress}:{SipTls}",
                "-alpn", "h2", "-brief"], TimeSpan.FromSeconds(10), "Q\n"u8.ToArray());
            Assert.True(client.ExitCode == 0, $"openssl s_client: {client.StandardError}");
            server.WaitForExit(5000);
            TwoHostLab.Stop(server);
        }
        Thread.Sleep(300);
        TwoHostLab.Stop(tcpdump);

        var flows = InspectTestData.Inspect(capture).Flows.Where(f => f.ServerPort == SipTls).OrderBy(f => f.Id).ToList();
        Assert.Equal([(AppLabel.Dtls, "alpn=h2; version=dtls1.2; alpn-selected=h2"), (AppLabel.Dtls, "alpn=h2; version=dtls1.2")],
            flows.Select(f => (f.App, f.AppDetail?.ToString())));
        // tshark reads the same: one ServerHello each, h2 selected by the first server only.
        string tshark = External.Run("tshark", "-r", capture, "-d", $"udp.port=={SipTls},dtls", "-Y", "dtls.handshake.type == 2",
            "-T", "fields", "-e", "dtls.handshake.extensions_alpn_str");
        Assert.Equal(["h2", ""], tshark.Split('\n')[..2]);
        Assert.Equal(tshark.Split('\n')[..2], flows.Select(f => AlpnProtocols.Selected(f.AppDetail).ToString()));

        var auditor = new FlowAuditor(AuditContext.Create(SipCatalog, LoadInventory(Site, SipCatalog)));
        var mismatch = auditor.Audit(flows[0]);
        Assert.Equal(Verdict.ProtocolMismatch, mismatch.Verdict);
        Assert.Equal("inspection found 'dtls' carrying h2 (HTTP/2, selected by the server by ALPN) where rule sip-dtls expects sip-tls",
            mismatch.Reason);
        Assert.Equal(Verdict.Expected, auditor.Audit(flows[1]).Verdict);
    }
}
