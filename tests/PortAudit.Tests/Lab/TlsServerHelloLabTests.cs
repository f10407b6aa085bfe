using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Inspect;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Lab;

/// <summary>
/// What a TLS or DTLS server chose, with real peers: openssl s_server on fe01 and s_client on client01 made to speak TLS
/// 1.0, 1.1 and 1.2 on a domain controller's LDAPS port and DTLS 1.0 and 1.2 on a SIP server's 5061/udp (versions RFC
/// 8996 deprecated), TLS 1.2 with no encryption, anonymous key exchange or neither (weak cipher suites), and a server
/// certificate of RSA 1024 signed with SHA-1 by a lab CA beside openssl's default one. OpenSSL 3
/// refuses them all at its default security level: both sides are lowered to level 0. tshark reads each ServerHello;
/// the flows whose server chose an old version carry the tls-deprecated weakness and those whose server chose a weak
/// suite tls-weak-cipher (weak-protocol findings beside a verdict that stays expected), the others none. A leaf longer
/// than the bytes inspected is read on and judged; one past 16 KiB is said unread (<c>cert=unread</c>), and no flaw is
/// claimed of it. A mail server's leaf after STARTTLS (exim on fe01, openssl s_client -starttls smtp) and an XMPP
/// federation partner's after &lt;proceed/&gt; (prosody, -starttls xmpp-server) are read on the same way, after the
/// server's text.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class TlsServerHelloLabTests : IDisposable
{
    private const int Ldaps = 636, SipTls = 5061;
    private const string Insecure = "DEFAULT:@SECLEVEL=0";

    private readonly TwoHostLab _lab = new("patlsv");

    public void Dispose() => _lab.Dispose();

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Tls_1_0_and_1_1_chosen_by_an_ldaps_server_are_weak_and_tls_1_2_is_not()
    {
        var flows = Chosen(Ldaps, "tls", ["-www"], "-tls1", "-tls1_1", "-tls1_2");
        Assert.Equal(["0x0301", "0x0302", "0x0303"], ServerHelloFields(Ldaps, "tls", "version", 3));
        Assert.Equal(["tls1.0", "tls1.1", "tls1.2"], flows.Select(f => f.AppDetail?.Find(DetailKeys.Version)));
        Assert.Equal([FlowWeakness.TlsDeprecated, FlowWeakness.TlsDeprecated, FlowWeakness.None], flows.Select(f => f.Weakness));

        var auditor = RepositoryAuditor(TwoHostLab.Site("dc01", "domain-controller"));
        var verdicts = flows.Select(auditor.Audit).ToList();
        Assert.All(verdicts, v => Assert.Equal(Verdict.Expected, v.Verdict));
        Assert.StartsWith("tls-deprecated (the server chose tls1.0: SSL 2.0 and 3.0, TLS 1.0 and 1.1 and DTLS 1.0 are deprecated by RFC 6176, RFC 7568 and RFC 8996",
            verdicts[0].Weakness);
        Assert.StartsWith("tls-deprecated (the server chose tls1.1:", verdicts[1].Weakness);
        Assert.Null(verdicts[2].Weakness);
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void Dtls_1_0_chosen_by_a_sip_server_is_weak_and_dtls_1_2_is_not()
    {
        var flows = Chosen(SipTls, "dtls", [], "-dtls1", "-dtls1_2");
        Assert.Equal(["0xfeff", "0xfefd"], ServerHelloFields(SipTls, "dtls", "version", 2));
        Assert.Equal(["dtls1.0", "dtls1.2"], flows.Select(f => f.AppDetail?.Find(DetailKeys.Version)));

        var verdicts = SipServerVerdicts(flows);
        Assert.StartsWith("tls-deprecated (the server chose dtls1.0:", verdicts[0].Weakness);
        Assert.Null(verdicts[1].Weakness);
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void A_null_or_anonymous_cipher_suite_chosen_by_an_ldaps_server_is_weak_and_ecdhe_with_aes_gcm_is_not()
    {
        string[] suites = ["NULL-SHA256", "ADH-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"];
        var flows = OpensslExchanges.Run(_lab, Capture, Ldaps, "tls", ["-www", "-tls1_2"],
            suites.Select(s => (new[] { "-cipher", $"{s}:@SECLEVEL=0" }, new[] { "-tls1_2", "-cipher", $"{s}:@SECLEVEL=0" })).ToArray());
        Assert.Equal(["0x003b", "0x00a6", "0xc02f"], ServerHelloFields(Ldaps, "tls", "ciphersuite", 3));
        Assert.Equal(["TLS_RSA_WITH_NULL_SHA256", "TLS_DH_anon_WITH_AES_128_GCM_SHA256", null],
            flows.Select(f => f.AppDetail?.Find(DetailKeys.Cipher)));
        Assert.Equal([FlowWeakness.TlsWeakCipher, FlowWeakness.TlsWeakCipher, FlowWeakness.None], flows.Select(f => f.Weakness));

        var auditor = RepositoryAuditor(TwoHostLab.Site("dc01", "domain-controller"));
        var verdicts = flows.Select(auditor.Audit).ToList();
        Assert.All(verdicts, v => Assert.Equal(Verdict.Expected, v.Verdict));
        Assert.Equal("tls-weak-cipher (the server chose TLS_RSA_WITH_NULL_SHA256: no encryption (RFC 9325: MUST NOT be negotiated))",
            verdicts[0].Weakness);
        Assert.Equal("tls-weak-cipher (the server chose TLS_DH_anon_WITH_AES_128_GCM_SHA256: anonymous key exchange: the server is " +
                     "not authenticated (RFC 5246 A.5))", verdicts[1].Weakness);
        Assert.Null(verdicts[2].Weakness);
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void A_1024_bit_key_signed_with_sha1_by_a_ca_presented_by_an_ldaps_server_is_weak_and_the_default_certificate_is_not()
    {
        var (weak, weakKey) = WeakLeaf("weak");
        string[] client = ["-tls1_2", "-cipher", Insecure];
        var flows = OpensslExchanges.Run(_lab, Capture, Ldaps, "tls", ["-www", "-cipher", Insecure],
            (["-cert", weak, "-key", weakKey], client), ([], client));

        // tshark's reading of each leaf: its signature algorithm (sha1WithRSAEncryption, sha256WithRSAEncryption).
        string tshark = External.Run("tshark", "-r", Capture, "-d", $"tcp.port=={Ldaps},tls", "-Y", "tls.handshake.type == 11", "-T", "fields",
            "-e", "x509af.algorithm.id");
        Assert.Equal(["1.2.840.113549.1.1.5", "1.2.840.113549.1.1.11"], tshark.Split('\n')[..2].Select(l => l.Split(',')[0]));
        Assert.Equal(["rsa1024,sha1", null], flows.Select(f => f.AppDetail?.Find(DetailKeys.Certificate)));
        Assert.Equal([FlowWeakness.TlsWeakCertificate, FlowWeakness.None], flows.Select(f => f.Weakness));

        var verdicts = flows.Select(RepositoryAuditor(TwoHostLab.Site("dc01", "domain-controller")).Audit).ToList();
        Assert.All(verdicts, v => Assert.Equal(Verdict.Expected, v.Verdict));
        Assert.Equal("tls-weak-certificate (the server's certificate: an RSA key of 1024 bits (NIST SP 800-131A: at least 2048); signed " +
                     "with SHA-1 (collisions are practical: SHAttered, and no public CA signs with it since 2016))", verdicts[0].Weakness);
        Assert.Null(verdicts[1].Weakness);
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void A_leaf_past_the_bytes_inspected_is_read_on_to_16_KiB_and_one_past_that_is_said_unread()
    {
        // Weak leaves with 300 names in their subjectAltName (over 4 KiB, past the 4,096 bytes of the server's stream
        // inspection looks at: read on, and judged) and 1,000 (past the 16 KiB a handshake message is read to: not
        // judged, and the detail says so), then openssl's default one.
        var (longLeaf, longKey) = WeakLeaf("long", "-addext", $"subjectAltName={Names(300)}");
        var (hugeLeaf, hugeKey) = WeakLeaf("huge", "-addext", $"subjectAltName={Names(1000)}");
        string[] client = ["-tls1_2", "-cipher", Insecure];
        var flows = OpensslExchanges.Run(_lab, Capture, Ldaps, "tls", ["-www", "-cipher", Insecure],
            (["-cert", longLeaf, "-key", longKey], client), (["-cert", hugeLeaf, "-key", hugeKey], client), ([], client));

        // tshark's reading of each leaf's length.
        string tshark = External.Run("tshark", "-r", Capture, "-d", $"tcp.port=={Ldaps},tls", "-Y", "tls.handshake.type == 11", "-T", "fields",
            "-e", "tls.handshake.certificate_length");
        var lengths = tshark.Split('\n')[..3].Select(l => int.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(lengths[0] is > 4096 and < 16384 && lengths[1] > 16384 && lengths[2] < 4096, string.Join(", ", lengths));
        Assert.Equal(["rsa1024,sha1", "unread", null], flows.Select(f => f.AppDetail?.Find(DetailKeys.Certificate)));
        Assert.Equal([FlowWeakness.TlsWeakCertificate, FlowWeakness.None, FlowWeakness.None], flows.Select(f => f.Weakness));
        var verdicts = flows.Select(RepositoryAuditor(TwoHostLab.Site("dc01", "domain-controller")).Audit).ToList();
        Assert.StartsWith("tls-weak-certificate (the server's certificate: an RSA key of 1024 bits", verdicts[0].Weakness);
        Assert.Null(verdicts[1].Weakness);
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark", "exim4:exim4-daemon-light")]
    public void A_mail_servers_leaf_past_the_bytes_inspected_after_starttls_is_read_on_and_judged()
    {
        // exim on fe01's 25 presents a weak leaf with 300 names after STARTTLS (RFC 3207); the client asks for TLS 1.2.
        var (leaf, key) = WeakLeaf("mail", "-addext", $"subjectAltName={Names(300)}");
        _lab.Connect();
        var flow = StartTlsExchange(Smtp, "exim4", ["-C", EximConfig(leaf, key), "-bdf", "-oX", Smtp.ToString()], null, "smtp");
        Assert.Equal((AppLabel.Smtp, "starttls; version=tls1.2; cert=rsa1024,sha1", FlowWeakness.TlsWeakCertificate),
            (flow.App, flow.AppDetail?.ToString(), flow.Weakness));
        var verdict = RepositoryAuditor(TwoHostLab.Site("mail01", "smtp-server")).Audit(flow);
        Assert.StartsWith("tls-weak-certificate (the server's certificate: an RSA key of 1024 bits", verdict.Weakness);
    }

    private const int Smtp = 25;

    // exim's configuration for fe01: TLS offered to every client with the given leaf, every recipient refused.
    private string EximConfig(string leaf, string key)
    {
        string spool = _lab.DirectoryOf("Debian-exim", "exim", leaf, key);
        string config = Path.Combine(_lab.Dir, "exim.conf");
        File.WriteAllText(config, $"""
            primary_hostname = fe01
            exim_user = Debian-exim
            exim_group = Debian-exim
            keep_environment =
            spool_directory = {spool}
            log_file_path = {spool}/%slog
            pid_file_path = {spool}/exim.pid
            tls_advertise_hosts = *
            tls_certificate = {leaf}
            tls_privatekey = {key}
            acl_smtp_rcpt = refuse
            begin acl
            refuse:
              deny

            """);
        return config;
    }

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark", "prosody:prosody")]
    public void An_xmpp_federation_partners_leaf_past_the_bytes_inspected_after_proceed_is_read_on_and_judged()
    {
        // prosody on fe01's 5269 (XMPP federation, as a Lync Edge's XMPP proxy takes it) presents a weak leaf with 300
        // names after <proceed/> (RFC 6120 5.4.3.3); openssl's client speaks for a partner server.
        var (leaf, key) = WeakLeaf("xmpp", "-addext", $"subjectAltName={Names(300)}");
        _lab.Connect();
        string config = ProsodyConfig(leaf, key, out var environment);
        var flow = StartTlsExchange(XmppServer, "prosody", ["--config", config, "-F"], environment, "xmpp-server", "-xmpphost", "fe01");
        Assert.Equal((AppLabel.Xmpp, "server; starttls; version=tls1.2; cert=rsa1024,sha1", FlowWeakness.TlsWeakCertificate),
            (flow.App, flow.AppDetail?.ToString(), flow.Weakness));
        var verdict = RepositoryAuditor(TwoHostLab.Site("edge01", "lync-access-edge")).Audit(flow);
        Assert.StartsWith("tls-weak-certificate (the server's certificate: an RSA key of 1024 bits", verdict.Weakness);
    }

    private const int XmppServer = 5269;

    // One connection to fe01's port, served by the program started there, from openssl s_client upgrading it by STARTTLS
    // in the given dialect (-starttls, and the options it takes) to TLS 1.2. tshark reads the STARTTLS of SMTP and XMPP
    // on its own: the leaf's length is past the 4,096 bytes inspection looks at and within 16 KiB. The connection's flow.
    private Flow StartTlsExchange(int port, string server, string[] serverArguments, Dictionary<string, string>? environment,
        params string[] starttls)
    {
        var tcpdump = _lab.CaptureOnClient(Capture);
        var daemon = _lab.Start(_lab.ServerNs, server, serverArguments, environment);
        _lab.WaitListening(_lab.ServerNs, "tcp", port, server);
        var client = _lab.Run(_lab.ClientNs, "openssl", ["s_client", "-starttls", .. starttls, "-tls1_2", "-cipher", Insecure,
            "-connect", $"{TwoHostLab.ServerAddress}:{port}", "-brief"], TimeSpan.FromSeconds(10), "Q\n"u8.ToArray());
        Assert.True(client.ExitCode == 0, $"openssl s_client: {client.StandardError}");
        TwoHostLab.Stop(daemon);
        TwoHostLab.StopCapture(tcpdump, Capture);
        string tshark = External.Run("tshark", "-r", Capture, "-Y", "tls.handshake.type == 11", "-T", "fields", "-e", "tls.handshake.certificate_length");
        Assert.InRange(int.Parse(tshark.Split('\n')[0].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture), 4097, 16383);
        return Assert.Single(InspectTestData.Inspect(Capture).Flows, f => f.ServerPort == port);
    }

    // prosody's configuration for fe01: one virtual host whose TLS presents the given leaf, run as the test runs (as
    // root in a namespace: prosody refuses it unless told). OpenSSL 3 refuses to load
    // an RSA 1024 key at its default security level, and prosody sets none of its own: its OpenSSL is lowered to level
    // 0 by a configuration of the lab's (OPENSSL_CONF, in the environment given back).
    private string ProsodyConfig(string leaf, string key, out Dictionary<string, string> environment)
    {
        string data = Path.Combine(_lab.Dir, "prosody"), openssl = Path.Combine(_lab.Dir, "openssl.cnf");
        File.WriteAllText(openssl, """
            openssl_conf = lab
            [lab]
            ssl_conf = ssl
            [ssl]
            system_default = level0
            [level0]
            CipherString = DEFAULT:@SECLEVEL=0

            """);
        Directory.CreateDirectory(data);
        environment = new() { ["OPENSSL_CONF"] = openssl };
        string config = Path.Combine(_lab.Dir, "prosody.cfg.lua");
        File.WriteAllText(config, $$"""
            run_as_root = true
            pidfile = "{{data}}/prosody.pid"
            data_path = "{{data}}"
            log = { { levels = { min = "warn" }, to = "console" } }
            modules_enabled = { "tls", "saslauth", "disco", "dialback" }
            interfaces = { "{{TwoHostLab.ServerAddress}}" }
            c2s_ports = { 5222 }
            s2s_ports = { {{XmppServer}} }
            ssl = { certificate = "{{leaf}}", key = "{{key}}", protocol = "tlsv1_2+" }
            VirtualHost "fe01"

            """);
        return config;
    }

    private static string Names(int count) => string.Join(',', Enumerable.Range(1, count).Select(i => $"DNS:host-{i:D4}.lab.example"));

    [LabPeersFact("openssl:openssl", "tcpdump:tcpdump", "tshark:tshark")]
    public void A_weak_certificate_presented_by_a_dtls_server_is_weak_whole_or_in_fragments_and_the_default_certificate_is_not()
    {
        // DTLS 1.2 on a SIP server's 5061/udp: the weak leaf in the hello's datagram, then again with a 256-byte MTU, which
        // makes openssl cut the Certificate message into fragments across datagrams (RFC 6347 4.2.3), then openssl's default.
        var (weak, weakKey) = WeakLeaf("weak");
        string[] client = ["-dtls1_2", "-cipher", Insecure];
        var flows = OpensslExchanges.Run(_lab, Capture, SipTls, "dtls", ["-dtls1_2", "-cipher", Insecure],
            (["-cert", weak, "-key", weakKey], client), (["-cert", weak, "-key", weakKey, "-mtu", "256"], [.. client, "-mtu", "256"]), ([], client));

        // tshark's reading: each Certificate message's fragment count in its first datagram and the leaf's signature.
        string tshark = External.Run("tshark", "-r", Capture, "-d", $"udp.port=={SipTls},dtls", "-Y", "x509af.algorithm.id", "-T", "fields",
            "-e", "x509af.algorithm.id");
        Assert.Equal(["1.2.840.113549.1.1.5", "1.2.840.113549.1.1.5", "1.2.840.113549.1.1.11"], tshark.Split('\n')[..3].Select(l => l.Split(',')[0]));
        string fragments = External.Run("tshark", "-r", Capture, "-d", $"udp.port=={SipTls},dtls", "-Y", "dtls.handshake.type == 11", "-T", "fields",
            "-e", "dtls.handshake.fragment_offset");
        Assert.Contains(fragments.Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(l => l.Split(',')), o => o != "0");
        Assert.Equal(["rsa1024,sha1", "rsa1024,sha1", null], flows.Select(f => f.AppDetail?.Find(DetailKeys.Certificate)));
        Assert.Equal([FlowWeakness.TlsWeakCertificate, FlowWeakness.TlsWeakCertificate, FlowWeakness.None], flows.Select(f => f.Weakness));

        var verdicts = SipServerVerdicts(flows);
        Assert.StartsWith("tls-weak-certificate (the server's certificate: an RSA key of 1024 bits", verdicts[1].Weakness);
        Assert.Null(verdicts[2].Weakness);
    }

    // The verdicts of flows to fe01 as a SIP server: each expected (a weakness is a finding beside the verdict).
    private static List<FlowVerdict> SipServerVerdicts(List<Flow> flows)
    {
        var catalog = TlsAlpnLabTests.SipCatalog;
        var auditor = new FlowAuditor(AuditContext.Create(catalog, LoadInventory(TwoHostLab.Site("sip01", "sip-server"), catalog)));
        var verdicts = flows.Select(auditor.Audit).ToList();
        Assert.All(verdicts, v => Assert.Equal(Verdict.Expected, v.Verdict));
        return verdicts;
    }

    // fe01's RSA 1024 key signed with SHA-1 by a lab CA, as CAs did before 2016 (openssl presents it at security level 0);
    // extra options go to the request (-addext). Its certificate and key files.
    private (string Cert, string Key) WeakLeaf(string name, params string[] request)
    {
        string caKey = Path.Combine(_lab.Dir, "ca.key"), ca = Path.Combine(_lab.Dir, "ca.pem"), csr = Path.Combine(_lab.Dir, name + ".csr");
        string key = Path.Combine(_lab.Dir, name + ".key"), cert = Path.Combine(_lab.Dir, name + ".pem");
        External.Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey, "-out", ca, "-days", "1", "-subj", "/CN=Lab CA");
        External.Run("openssl", ["req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=fe01", .. request]);
        External.Run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-set_serial", "7", "-sha1", "-days", "1",
            "-copy_extensions", "copyall", "-out", cert);
        return (cert, key);
    }

    private string Capture => Path.Combine(_lab.Dir, "tls.pcap");

    // One connection a version, both peers held to it.
    private List<Flow> Chosen(int port, string layer, string[] serverOptions, params string[] versions) =>
        OpensslExchanges.Run(_lab, Capture, port, layer, [.. serverOptions, "-cipher", Insecure],
            versions.Select(v => (new[] { v }, new[] { v, "-cipher", Insecure })).ToArray());

    // A field (version, ciphersuite) of each ServerHello, as tshark reads it.
    private string[] ServerHelloFields(int port, string layer, string field, int count)
    {
        string transport = layer == "dtls" ? "udp" : "tcp";
        string tshark = External.Run("tshark", "-r", Capture, "-d", $"{transport}.port=={port},{layer}", "-Y",
            $"{layer}.handshake.type == 2", "-T", "fields", "-e", $"{layer}.handshake.{field}");
        return tshark.Split('\n')[..count];
    }
}
