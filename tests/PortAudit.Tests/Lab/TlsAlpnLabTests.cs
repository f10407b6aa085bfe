using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Inspect;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Lab;

/// <summary>
/// TLS and DTLS whose server selected h2 by ALPN, with real peers: openssl s_server on fe01, once selecting h2 and then
/// with no ALPN at all; openssl s_client on client01 offering h2 to both. tcpdump captures them; the ServerHello's
/// selected protocol is read as tshark reads it, and the rule of the port judges the first a protocol-mismatch and the
/// second, where only the client asked for h2, expected. TLS 1.2 on a domain controller's LDAPS port under the
/// repository catalog's ldaps rule; DTLS 1.2 on a SIP server's 5061/udp under a rule for SIP over DTLS (sip-tls). And the
/// server a client names (SNI, read as tshark reads it) under a rule that names its servers (serverNames).
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class TlsAlpnLabTests : IDisposable
{
    private const int Ldaps = 636, SipTls = 5061;

    private readonly TwoHostLab _lab = new("paalpn");
    private string _capture = "";

    public void Dispose() => _lab.Dispose();

    /// <summary>A workstation's SIP over DTLS to a SIP server's 5061/udp, the one rule.</summary>
    internal static readonly RoleCatalog SipCatalog = new(
        [new Role("any", "wildcard"), new Role("workstation", "w"), new Role("sip-server", "s")],
        [],
        [MakeRule("sip-dtls", "workstation", "sip-server", SipTls, SipTls, "sip-tls", transport: Transport.Udp)]);


    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Openssl_selecting_h2_on_ldaps_is_a_protocol_mismatch_and_a_client_offer_alone_is_not()
    {
        // -www: without it s_server ends each connection once its standard input (none here) is at its end.
        var flows = SelectingH2ThenNothing(Ldaps, "tls", ["-tls1_2", "-www"], ["-tls1_2"]);
        Assert.Equal([(AppLabel.Tls, "alpn=h2; version=tls1.2; alpn-selected=h2"), (AppLabel.Tls, "alpn=h2; version=tls1.2")],
            flows.Select(f => (f.App, f.AppDetail?.ToString())));

        var auditor = RepositoryAuditor(TwoHostLab.Site("dc01", "domain-controller"));
        var mismatch = auditor.Audit(flows[0]);
        Assert.Equal(Verdict.ProtocolMismatch, mismatch.Verdict);
        Assert.Equal("inspection found 'tls' carrying h2 (HTTP/2, selected by the server by ALPN) where rule " +
                     "kb832017-domain-controller-ldaps-tcp-636 expects ldaps", mismatch.Reason);
        Assert.Equal(Verdict.Expected, auditor.Audit(flows[1]).Verdict);
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Openssl_selecting_h2_in_dtls_on_a_sip_tls_port_is_a_protocol_mismatch_and_a_client_offer_alone_is_not()
    {
        var flows = SelectingH2ThenNothing(SipTls, "dtls", ["-dtls1_2"], ["-dtls1_2"]);
        Assert.Equal([(AppLabel.Dtls, "alpn=h2; version=dtls1.2; alpn-selected=h2"), (AppLabel.Dtls, "alpn=h2; version=dtls1.2")],
            flows.Select(f => (f.App, f.AppDetail?.ToString())));

        var auditor = new FlowAuditor(AuditContext.Create(SipCatalog, LoadInventory(TwoHostLab.Site("sip01", "sip-server"), SipCatalog)));
        var mismatch = auditor.Audit(flows[0]);
        Assert.Equal(Verdict.ProtocolMismatch, mismatch.Verdict);
        Assert.Equal("inspection found 'dtls' carrying h2 (HTTP/2, selected by the server by ALPN) where rule sip-dtls expects sip-tls",
            mismatch.Reason);
        Assert.Equal(Verdict.Expected, auditor.Audit(flows[1]).Verdict);
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Openssl_naming_a_server_the_rule_does_not_name_is_a_protocol_mismatch_and_a_nameless_hello_rests_on_the_port()
    {
        // One s_server; s_client names the partner, a paste site, then nothing (-noservername).
        string[] tls = ["-tls1_2", "-www"];
        var flows = Exchanges(SipTls, "tls", tls, ([], ["-tls1_2", "-servername", "sip.fabrikam.com"]),
            ([], ["-tls1_2", "-servername", "pastebin.com"]), ([], ["-tls1_2", "-noservername"]));
        string tshark = External.Run("tshark", "-r", _capture, "-d", $"tcp.port=={SipTls},tls", "-Y", "tls.handshake.type == 1",
            "-T", "fields", "-e", "tls.handshake.extensions_server_name");
        Assert.Equal(["sip.fabrikam.com", "pastebin.com", ""], tshark.Split('\n')[..3]);
        Assert.Equal(tshark.Split('\n')[..3], flows.Select(f => f.AppDetail?.Find("sni") ?? ""));

        var catalog = new RoleCatalog(SipCatalog.Roles, [],
            [MakeRule("federation", "workstation", "sip-server", SipTls, SipTls, "sip-tls") with { ServerNames = [Name("sip.fabrikam.com")] }]);
        var auditor = new FlowAuditor(AuditContext.Create(catalog, LoadInventory(TwoHostLab.Site("sip01", "sip-server"), catalog)));
        Assert.Equal([
                (Verdict.Expected, null),
                (Verdict.ProtocolMismatch, "tls names its server 'pastebin.com', which rule federation does not allow (it allows sip.fabrikam.com)"),
                (Verdict.Expected, "tls names no server where rule federation allows only sip.fabrikam.com: allowed by port only"),
            ],
            flows.Select(f => auditor.Audit(f)).Select(v => (v.Verdict, v.Reason)));
    }

    private List<Flow> Exchanges(int port, string layer, string[] serverOptions, params (string[] Server, string[] Client)[] runs)
    {
        _capture = Path.Combine(_lab.Dir, "tls.pcap");
        return OpensslExchanges.Run(_lab, _capture, port, layer, serverOptions, runs);
    }

    private static ServerName Name(string text) => ServerName.TryParse(text, out var name, out _) ? name : throw new ArgumentException(text);

    /// <summary>
    /// Two connections from client01 to fe01's <paramref name="port"/>, openssl s_client offering h2 to a s_server that
    /// selects it and then to one with no ALPN (<paramref name="layer"/>: tls over TCP, dtls over UDP), captured; their
    /// flows in order, once tshark is seen to read h2 selected in the first ServerHello only, as the flows' details say.
    /// </summary>
    private List<Flow> SelectingH2ThenNothing(int port, string layer, string[] serverOptions, string[] clientOptions)
    {
        var flows = Exchanges(port, layer, serverOptions, (["-alpn", "h2"], [.. clientOptions, "-alpn", "h2"]), ([], [.. clientOptions, "-alpn", "h2"]));
        bool udp = layer == "dtls";
        string tshark = External.Run("tshark", "-r", _capture, "-d", $"{(udp ? "udp" : "tcp")}.port=={port},{layer}",
            "-Y", $"{layer}.handshake.type == 2", "-T", "fields", "-e", $"{layer}.handshake.extensions_alpn_str");
        Assert.Equal(["h2", ""], tshark.Split('\n')[..2]);
        Assert.Equal(tshark.Split('\n')[..2], flows.Select(f => AlpnProtocols.Selected(f.AppDetail).ToString()));
        return flows;
    }
}
