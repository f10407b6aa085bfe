using System.Text;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Tests.Scenarios;
using PortAudit.Inspect.DceRpc;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Sources.Records;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Zeek's logs among a run's inputs, joined as Zeek joins them, by uid: ssl.log's <c>server_name</c> and
/// <c>next_protocol</c>, http.log's <c>host</c> and dce_rpc.log's <c>endpoint</c> and <c>operation</c> say what the conn.log
/// connection with that uid named, carried and called, whatever the order of the files; a log that holds no connections
/// (dns.log) is not read as flows.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ZeekLogJoinTests : IDisposable
{
    private const string Header = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n";

    // conn.log's header with the columns a flow is built from, in Zeek's order.
    private const string ConnHeader = Header + "#path\tconn\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n";

    private const string Conn = ConnHeader +
        "1764669600\tCdns\t10.0.0.5\t53535\t10.0.0.53\t53\tudp\tdns\t0.001\tSF\t1\t58\t1\t74\n" +
        "1764669601\tCtls\t10.0.0.5\t40000\t203.0.113.9\t443\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
        "1764669602\tChttp\t10.0.0.5\t40001\t203.0.113.10\t80\ttcp\thttp\t0.5\tSF\t5\t600\t5\t1200\n" +
        "1764669603\tCbare\t10.0.0.5\t40002\t203.0.113.11\t443\ttcp\tssl\t0.5\tSF\t5\t600\t5\t1200\n";

    // Zeek escapes a control character in a value as \xHH; the name keeps it, and the detail writes it as inspection
    // writes wire bytes. Line 8 is damaged; Cbare's hello had no SNI.
    private const string Ssl = Header + "#path\tssl\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tserver_name\tresumed\tnext_protocol\testablished\n" +
        "1764669601.1\tCtls\t10.0.0.5\t40000\t203.0.113.9\t443\tTLSv12\tTLS_AES_128_GCM_SHA256\tpaste\\x0abin.com\tF\thttp/1.1\tT\n" +
        "1764669601.2\tbroken\n" +
        "1764669603.1\tCbare\t10.0.0.5\t40002\t203.0.113.11\t443\tTLSv12\tTLS_AES_128_GCM_SHA256\t-\tF\t-\tT\n";

    // Zeek's JSON writer without _path: the keys tell it (trans_depth), conn.log's records always have proto.
    private const string Http =
        """{"ts":1764669602.1,"uid":"Chttp","id.orig_h":"10.0.0.5","id.orig_p":40001,"id.resp_h":"203.0.113.10","id.resp_p":80,"trans_depth":1,"method":"GET","host":"www.example.org","uri":"/"}""" + "\n" +
        """{"ts":1764669602.2,"uid":"Chttp","id.orig_h":"10.0.0.5","id.orig_p":40001,"id.resp_h":"203.0.113.10","id.resp_p":80,"trans_depth":2,"method":"GET","host":"other.example.org","uri":"/"}""" + "\n";

    private const string Dns = Header + "#path\tdns\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\n" +
        "1764669600\tCdns\t10.0.0.5\t53535\t10.0.0.53\t53\tudp\t4242\texample.org\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("portaudit-zeek-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private RecordRun Run(params string[] files) => RecordRun.Of([.. RecordFileSource.Of(files, rpcNames: RpcNameLookup.Instance)]);

    [Fact]
    public void Dce_rpc_logs_calls_are_judged_as_a_captures_dcsync_is()
    {
        // A workstation replicating from a DC: dce_rpc.log names the interface and operations as Zeek's tables do
        // (drsuapi, DRSBind, DRSGetNCChanges), which RpcInterfaceAuditTests' capture-built flow has as opnums 0 and 3.
        // Its name translation (DRSCrackNames) on another connection is no concern; an interface Zeek does not name is
        // taken by its UUID, an operation by its number.
        string conn = Write("conn.log", ConnHeader +
            "1764669601\tCsync\t10.77.0.100\t50000\t10.77.0.30\t49670\ttcp\tdce_rpc\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669602\tCcrack\t10.77.0.100\t50001\t10.77.0.30\t49671\ttcp\tdce_rpc\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669603\tCefs\t10.77.0.100\t50002\t10.77.0.30\t49672\ttcp\tdce_rpc\t1.5\tSF\t10\t1000\t10\t5000\n");
        string rpc = Write("dce_rpc.log", Header + "#path\tdce_rpc\n" +
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\trtt\tnamed_pipe\tendpoint\toperation\n" +
            "1764669601.1\tCsync\t10.77.0.100\t50000\t10.77.0.30\t49670\t0.001\t49670\tdrsuapi\tDRSBind\n" +
            "1764669601.2\tCsync\t10.77.0.100\t50000\t10.77.0.30\t49670\t0.001\t49670\tdrsuapi\tDRSGetNCChanges\n" +
            "1764669602.1\tCcrack\t10.77.0.100\t50001\t10.77.0.30\t49671\t0.001\t49671\tdrsuapi\tDRSBind\n" +
            "1764669602.2\tCcrack\t10.77.0.100\t50001\t10.77.0.30\t49671\t0.001\t49671\tdrsuapi\tDRSCrackNames\n" +
            "1764669603.1\tCefs\t10.77.0.100\t50002\t10.77.0.30\t49672\t0.001\t49672\tunknown-c681d488-d850-11d0-8c52-00c04fd90f7e\tunknown-0\n");
        var auditor = DomainControllerAndWorkstation();

        var run = Run(rpc, conn);
        var byUid = run.Flows.ToDictionary(f => f.RecordId!);

        var calls = byUid["Csync"].RpcCalls!;
        var text = new char[RpcCallText.MaxLength(calls)];
        Assert.Equal("e3514235-4b06-11d1-ab04-00c04fc2dcd2 - 0,3 zeek dce_rpc.log", new string(text, 0, RpcCallText.Format(calls, text)));
        var dcsync = auditor.Audit(byUid["Csync"]);
        Assert.Equal((FindingKind.RpcInterface, Severity.High), (dcsync.FindingKind, dcsync.Severity));
        Assert.Contains("operation 3 IDL_DRSGetNCChanges of DRSUAPI", dcsync.Reason);
        Assert.Null(auditor.Audit(byUid["Ccrack"]).FindingKind);
        var coerce = auditor.Audit(byUid["Cefs"]);
        Assert.Equal((FindingKind.RpcInterface, Severity.High), (coerce.FindingKind, coerce.Severity));
        Assert.Contains("EfsRpcOpenFileRaw", coerce.Reason);
        Assert.Equal(3, run.Records.ZeekJoined);
    }

    [Fact]
    public void The_security_reviews_rpc_written_as_zeeks_logs_is_judged_as_its_capture_is()
    {
        // The scenario's DCSync, coercions, remote service creation and printer-driver loading, each flow that carried
        // DCE/RPC written as Zeek writes it: a conn.log record and a dce_rpc.log line per call naming interface and
        // operation (lower-case names as Zeek's tables give them, unknown-UUID and unknown-OPNUM for what no table
        // names). Zeek logs requests, not binds: a binding without a call, or one the server refused, is not in it.
        var catalog = ScenarioAudit.RepositoryCatalog;
        var context = AuditContext.Create(catalog,
            InventoryLoader.Load(SharedData.InRepository("tests/PortAudit.Tests/Scenarios/Inventories/security-review.yaml"), catalog));
        var (flows, fromCapture) = ScenarioAudit.WithCaptures(PortAudit.Tests.Scenarios.SecurityReview.Build(),
            paths => PortAudit.Tests.Audit.SharedCaptureAuditTests.Audit(context, PortAudit.Sources.Files.CaptureFileSource.Of(paths)));
        var rpcFlows = flows.Select(f => f.Flow).Where(f => f.RpcCalls is { Bindings.Count: > 0 }).ToList();
        var conn = new StringBuilder(ConnHeader);
        var rpc = new StringBuilder(Header + "#path\tdce_rpc\n#fields\tts\tuid\tendpoint\toperation\n");
        foreach (var flow in rpcFlows)
        {
            string ts = $"{flow.StartNs / 1_000_000_000}.{flow.StartNs % 1_000_000_000:D9}";
            conn.Append($"{ts}\tC{flow.Id}\t{flow.Client}\t{flow.ClientPort}\t{flow.Server}\t{flow.ServerPort}\t{PortAudit.Common.IpProtocol.Name(flow.Protocol)}\t" +
                $"{(flow.App == AppLabel.Smb ? "smb" : "dce_rpc")}\t1.0\tSF\t{flow.PacketsToServer}\t{flow.BytesToServer}\t{flow.PacketsToClient}\t{flow.BytesToClient}\n");
            foreach (var binding in flow.RpcCalls!.Bindings.Where(b => !b.Refused))
            {
                string endpoint = RpcInterfaces.Name(binding.Uuid)?.ToLowerInvariant() ?? $"unknown-{binding.Uuid}";
                foreach (ushort opnum in binding.Opnums)
                    rpc.Append($"{ts}\tC{flow.Id}\t{endpoint}\t{RpcOperations.Name(binding.Uuid, opnum)?.Replace("IDL_", "") ?? $"unknown-{opnum}"}\n");
            }
        }
        string connLog = Write("conn.log", conn.ToString()), rpcLog = Write("dce_rpc.log", rpc.ToString());

        var (_, fromLogs) = PortAudit.Tests.Audit.SharedCaptureAuditTests.Audit(context, RecordFileSource.Of([connLog, rpcLog], rpcNames: RpcNameLookup.Instance));

        Assert.Contains(RpcFindings(fromCapture), f => f.Contains("IDL_DRSGetNCChanges of DRSUAPI", StringComparison.Ordinal));
        Assert.Equal(RpcFindings(fromCapture), RpcFindings(fromLogs));
    }

    // dc01 at 10.77.0.30 and a workstation, ws01, at 10.77.0.100, under the repository's catalog.
    private static FlowAuditor DomainControllerAndWorkstation() => PortAudit.Tests.Audit.AuditFixture.RepositoryAuditor("""
        hosts:
          - {name: dc01, addresses: [10.77.0.30], roles: [domain-controller]}
          - {name: ws01, addresses: [10.77.0.100], roles: [workstation]}
        """);

    private static string[] RpcFindings(AuditReport report) =>
        [.. report.Findings.Where(f => f.Kind == FindingKind.RpcInterface).Select(f => $"{f.Severity} {f.Reason} {f.Explanation}").Order()];

    [Fact]
    public void Ssl_and_http_logs_name_the_servers_of_conn_logs_connections_in_any_order()
    {
        string conn = Write("conn.log", Conn), ssl = Write("ssl.log", Ssl), http = Write("http.log", Http);

        foreach (var order in new[] { new[] { conn, ssl, http }, [http, ssl, conn] })
        {
            var run = Run(order);
            var byUid = run.Flows.ToDictionary(f => f.RecordId!);
            Assert.Equal(4, run.Flows.Count);
            Assert.Equal("sni=paste%0Abin.com; version=tls1.2; alpn-selected=http/1.1", byUid["Ctls"].AppDetail?.ToString());
            // The first request's Host, as inspection keeps the first request's.
            Assert.Equal("host=www.example.org", byUid["Chttp"].AppDetail?.ToString());
            // A hello without SNI still has the version its server chose.
            Assert.Equal("version=tls1.2", byUid["Cbare"].AppDetail?.ToString());
            Assert.Null(byUid["Cdns"].AppDetail);
            Assert.Equal(3, run.Records.ZeekJoined);
            // The damaged ssl.log line is named with its place and is no rejected flow record.
            Assert.Equal((0L, 4L, 1L), (run.Records.Rejected, run.Records.Read, run.Records.ZeekJoinUnread));
            Assert.Equal($"{ssl}: line 8: 2 columns where #fields names 12", Assert.Single(run.Records.ZeekJoinProblems).ToString());
        }
    }

    [Fact]
    public async Task A_pipe_among_the_inputs_is_left_to_its_own_source()
    {
        // Names are read ahead from files only: opening the FIFO ahead would have taken its writer's bytes, and its own
        // source, opening it again, would have waited for a writer that had gone.
        string conn = Write("conn.log", Conn), fifo = Path.Combine(_dir, "piped.log");
        Fifo.Make(fifo);
        var writer = Task.Run(() => File.WriteAllText(fifo, Conn.Replace("\tC", "\tP")));

        var run = await Task.Run(() => Run(conn, fifo)).WaitAsync(TimeSpan.FromSeconds(30));
        await writer.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(8, run.Flows.Count);
        Assert.Equal(4, run.Flows.Count(f => f.RecordId!.StartsWith('P')));
    }

    [Fact]
    public void A_name_is_taken_only_for_the_application_its_log_is_of()
    {
        // ssl.log naming a uid whose conn.log record Zeek labelled http: the name is no Host.
        string conn = Write("conn.log", Conn), ssl = Write("ssl.log", Ssl.Replace("\tCtls\t", "\tChttp\t"));

        var byUid = Run(conn, ssl).Flows.ToDictionary(f => f.RecordId!);

        Assert.Null(byUid["Chttp"].AppDetail);
        Assert.Null(byUid["Ctls"].AppDetail);
    }

    [Fact]
    public void The_protocol_ssl_log_says_the_server_selected_is_judged_as_inspections_is()
    {
        // HTTPS on a domain controller's LDAPS port: conn.log says ssl, which ldaps is; ssl.log's next_protocol says the
        // server selected h2, as TlsAlpnLabTests' openssl s_server does in a capture. The connection whose server selected
        // nothing stays expected: a client's offer alone proves nothing, and ssl.log logs no offer.
        string conn = Write("conn.log", ConnHeader +
            "1764669601\tCh2\t10.77.0.100\t40000\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669602\tCnone\t10.77.0.100\t40001\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n");
        string ssl = Write("ssl.log", Header + "#path\tssl\n" +
            "#fields\tts\tuid\tversion\tserver_name\tnext_protocol\testablished\n" +
            "1764669601.1\tCh2\tTLSv12\t-\th2\tT\n" +
            "1764669602.1\tCnone\tTLSv12\tdc01.lab.test\t-\tT\n");
        var auditor = DomainControllerAndWorkstation();

        var byUid = Run(conn, ssl).Flows.ToDictionary(f => f.RecordId!);

        Assert.Equal("version=tls1.2; alpn-selected=h2", byUid["Ch2"].AppDetail?.ToString());
        Assert.Equal("sni=dc01.lab.test; version=tls1.2", byUid["Cnone"].AppDetail?.ToString());
        var mismatch = auditor.Audit(byUid["Ch2"]);
        Assert.Equal((Verdict.ProtocolMismatch, "the exporter named 'tls' carrying h2 (HTTP/2, selected by the server by ALPN) where rule " +
            "kb832017-domain-controller-ldaps-tcp-636 expects ldaps"), (mismatch.Verdict, mismatch.Reason));
        Assert.Equal(Verdict.Expected, auditor.Audit(byUid["Cnone"]).Verdict);
    }

    [Fact]
    public void A_deprecated_version_ssl_log_says_the_server_chose_is_the_weakness_inspection_gives()
    {
        // ssl.log's version is the one the server's hello chose (Zeek's SSL::version_strings), as TlsServerHelloLabTests'
        // openssl s_server chooses it in a capture: TLS 1.0 on a DC's LDAPS port is expected there and weak; TLS 1.2 is
        // not weak, nor is a version Zeek could not name (unknown-N, N in decimal), whose number is kept as inspection keeps it;
        // an SMTP connection upgraded by STARTTLS is judged on the version as a capture of it is.
        string conn = Write("conn.log", ConnHeader +
            "1764669601\tC10\t10.77.0.100\t40000\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669602\tC12\t10.77.0.100\t40001\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669603\tCodd\t10.77.0.100\t40002\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669604\tCd10\t10.77.0.100\t40003\t10.77.0.30\t5061\tudp\tdtls\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669605\tCmx\t10.77.0.100\t40004\t10.77.0.30\t25\ttcp\tsmtp,ssl\t1.5\tSF\t10\t1000\t10\t5000\n");
        string ssl = Write("ssl.log", Header + "#path\tssl\n" +
            "#fields\tts\tuid\tversion\tserver_name\n" +
            "1764669601.1\tC10\tTLSv10\tdc01.lab.test\n" +
            "1764669602.1\tC12\tTLSv12\tdc01.lab.test\n" +
            "1764669603.1\tCodd\tunknown-64250\t-\n" +
            "1764669605.1\tCmx\tTLSv10\tmx.lab.test\n");
        string dtls = Write("ssl.json", """{"_path":"ssl","ts":1764669604.1,"uid":"Cd10","version":"DTLSv10"}""" + "\n");
        var auditor = DomainControllerAndWorkstation();

        var byUid = Run(conn, ssl, dtls).Flows.ToDictionary(f => f.RecordId!);

        Assert.Equal(("sni=dc01.lab.test; version=tls1.0", FlowWeakness.TlsDeprecated), (byUid["C10"].AppDetail?.ToString(), byUid["C10"].Weakness));
        Assert.Equal(("sni=dc01.lab.test; version=tls1.2", FlowWeakness.None), (byUid["C12"].AppDetail?.ToString(), byUid["C12"].Weakness));
        Assert.Equal(("version=0xfafa", FlowWeakness.None), (byUid["Codd"].AppDetail?.ToString(), byUid["Codd"].Weakness));
        Assert.Equal(("version=dtls1.0", FlowWeakness.TlsDeprecated), (byUid["Cd10"].AppDetail?.ToString(), byUid["Cd10"].Weakness));
        // SMTP upgraded by STARTTLS ("smtp,ssl"): the mail inspector's words for a capture of it.
        Assert.Equal((AppLabel.Smtp, "starttls; version=tls1.0", FlowWeakness.TlsDeprecated),
            (byUid["Cmx"].App, byUid["Cmx"].AppDetail?.ToString(), byUid["Cmx"].Weakness));
        var weak = auditor.Audit(byUid["C10"]);
        Assert.Equal(Verdict.Expected, weak.Verdict);
        Assert.StartsWith("tls-deprecated (the server chose tls1.0: SSL 2.0 and 3.0, TLS 1.0 and 1.1 and DTLS 1.0 are deprecated", weak.Weakness);
        Assert.Null(auditor.Audit(byUid["C12"]).Weakness);
    }

    [Fact]
    public void A_weak_cipher_suite_ssl_log_says_the_server_chose_is_the_weakness_inspection_gives()
    {
        // ssl.log's cipher is the suite the server's hello chose, by its IANA name, as tshark and TlsCipherSuites name it:
        // RC4 on a DC's LDAPS port (TSV), an anonymous one after STARTTLS (JSON) are weak and named last in the detail;
        // ECDHE with AES-GCM is not, and is not written.
        string conn = Write("conn.log", ConnHeader +
            "1764669601\tCrc4\t10.77.0.100\t40000\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669602\tCgcm\t10.77.0.100\t40001\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669603\tCmx\t10.77.0.100\t40004\t10.77.0.30\t25\ttcp\tsmtp,ssl\t1.5\tSF\t10\t1000\t10\t5000\n");
        string ssl = Write("ssl.log", Header + "#path\tssl\n" +
            "#fields\tts\tuid\tversion\tcipher\tserver_name\n" +
            "1764669601.1\tCrc4\tTLSv12\tTLS_RSA_WITH_RC4_128_SHA\tdc01.lab.test\n" +
            "1764669602.1\tCgcm\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\tdc01.lab.test\n");
        string mail = Write("ssl.json", """{"_path":"ssl","ts":1764669603.1,"uid":"Cmx","version":"TLSv12","cipher":"TLS_DH_anon_WITH_AES_128_CBC_SHA"}""" + "\n");
        var auditor = DomainControllerAndWorkstation();

        var byUid = Run(conn, ssl, mail).Flows.ToDictionary(f => f.RecordId!);

        Assert.Equal(("sni=dc01.lab.test; version=tls1.2; cipher=TLS_RSA_WITH_RC4_128_SHA", FlowWeakness.TlsWeakCipher),
            (byUid["Crc4"].AppDetail?.ToString(), byUid["Crc4"].Weakness));
        Assert.Equal(("sni=dc01.lab.test; version=tls1.2", FlowWeakness.None), (byUid["Cgcm"].AppDetail?.ToString(), byUid["Cgcm"].Weakness));
        Assert.Equal(("starttls; version=tls1.2; cipher=TLS_DH_anon_WITH_AES_128_CBC_SHA", FlowWeakness.TlsWeakCipher),
            (byUid["Cmx"].AppDetail?.ToString(), byUid["Cmx"].Weakness));
        var weak = auditor.Audit(byUid["Crc4"]);
        Assert.Equal(Verdict.Expected, weak.Verdict);
        Assert.Equal("tls-weak-cipher (the server chose TLS_RSA_WITH_RC4_128_SHA: RC4 (prohibited by RFC 7465))", weak.Weakness);
        Assert.Null(auditor.Audit(byUid["Cgcm"]).Weakness);
    }

    [Fact]
    public void A_weak_leaf_x509_log_describes_joined_by_ssl_logs_chain_is_the_weakness_inspection_gives()
    {
        // Zeek 4 and later: ssl.log's cert_chain_fps (the leaf first) name x509.log's fingerprints (TSV, x509.log before
        // ssl.log on the command line). A leaf of RSA 1024 signed with SHA-1 by a CA, one sound, one self-signed with SHA-1
        // (its own signature is not judged; its key is sound). Zeek 3 (JSON here): cert_chain_fuids and x509.log's id.
        string conn = Write("conn.log", ConnHeader +
            "1764669601\tCweak\t10.77.0.100\t40000\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669602\tCsound\t10.77.0.100\t40001\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669603\tCself\t10.77.0.100\t40002\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669604\tCold\t10.77.0.100\t40003\t10.77.0.30\t25\ttcp\tsmtp,ssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669605\tCnone\t10.77.0.100\t40004\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n");
        string x509 = Write("x509.log", Header + "#path\tx509\n" +
            "#fields\tts\tfingerprint\tcertificate.version\tcertificate.serial\tcertificate.subject\tcertificate.issuer\tcertificate.not_valid_before\t" +
            "certificate.not_valid_after\tcertificate.key_alg\tcertificate.sig_alg\tcertificate.key_type\tcertificate.key_length\tcertificate.exponent\t" +
            "certificate.curve\tsan.dns\tsan.uri\tsan.email\tsan.ip\tbasic_constraints.ca\tbasic_constraints.path_len\thost_cert\tclient_cert\n" +
            "1764669601.1\taa11\t3\t07\tCN=dc01\tCN=Lab CA\t1764600000\t1764700000\trsaEncryption\tsha1WithRSAEncryption\trsa\t1024\t65537\t-\tdc01\t-\t-\t-\t-\t-\tT\tF\n" +
            "1764669601.1\tbb22\t3\t08\tCN=Lab CA\tCN=Lab CA\t1764600000\t1764700000\trsaEncryption\tsha256WithRSAEncryption\trsa\t2048\t65537\t-\t-\t-\t-\t-\tT\t-\tF\tF\n" +
            "1764669602.1\tcc33\t3\t09\tCN=dc01\tCN=Lab CA\t1764600000\t1764700000\tid-ecPublicKey\tecdsa-with-SHA256\tecdsa\t256\t-\tprime256v1\tdc01\t-\t-\t-\t-\t-\tT\tF\n" +
            "1764669603.1\tdd44\t3\t0a\tCN=dc01\tCN=dc01\t1764600000\t1764700000\trsaEncryption\tsha1WithRSAEncryption\trsa\t2048\t65537\t-\tdc01\t-\t-\t-\t-\t-\tT\tF\n");
        string ssl = Write("ssl.log", Header + "#path\tssl\n" +
            "#fields\tts\tuid\tversion\tcipher\tserver_name\tcert_chain_fps\tclient_cert_chain_fps\n" +
            "1764669601.1\tCweak\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\tdc01.lab.test\taa11,bb22\t(empty)\n" +
            "1764669602.1\tCsound\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\tdc01.lab.test\tcc33\t(empty)\n" +
            "1764669603.1\tCself\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\tdc01.lab.test\tdd44\t(empty)\n" +
            "1764669605.1\tCnone\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\tdc01.lab.test\tee55\t(empty)\n");
        string old = Write("old.json",
            """{"_path":"ssl","ts":1764669604.1,"uid":"Cold","version":"TLSv10","cert_chain_fuids":["FmdOld1","FcaOld2"]}""" + "\n" +
            """{"_path":"x509","ts":1764669604.1,"id":"FmdOld1","certificate.version":3,"certificate.serial":"0B","certificate.subject":"CN=mail","certificate.issuer":"CN=Old CA","certificate.key_alg":"rsaEncryption","certificate.sig_alg":"md5WithRSAEncryption","certificate.key_type":"rsa","certificate.key_length":2048,"san.dns":["mail"]}""" + "\n");
        var auditor = DomainControllerAndWorkstation();

        var byUid = Run(x509, conn, ssl, old).Flows.ToDictionary(f => f.RecordId!);

        Assert.Equal(("sni=dc01.lab.test; version=tls1.2; cert=rsa1024,sha1", FlowWeakness.TlsWeakCertificate),
            (byUid["Cweak"].AppDetail?.ToString(), byUid["Cweak"].Weakness));
        Assert.Equal(("sni=dc01.lab.test; version=tls1.2", FlowWeakness.None), (byUid["Csound"].AppDetail?.ToString(), byUid["Csound"].Weakness));
        Assert.Equal(("sni=dc01.lab.test; version=tls1.2", FlowWeakness.None), (byUid["Cself"].AppDetail?.ToString(), byUid["Cself"].Weakness));
        // A leaf x509.log does not describe (Zeek logs a certificate once a day) is not judged.
        Assert.Equal(("sni=dc01.lab.test; version=tls1.2", FlowWeakness.None), (byUid["Cnone"].AppDetail?.ToString(), byUid["Cnone"].Weakness));
        Assert.Equal(("starttls; version=tls1.0; cert=md5", FlowWeakness.TlsDeprecated | FlowWeakness.TlsWeakCertificate),
            (byUid["Cold"].AppDetail?.ToString(), byUid["Cold"].Weakness));
        var weak = auditor.Audit(byUid["Cweak"]);
        Assert.Equal(Verdict.Expected, weak.Verdict);
        Assert.StartsWith("tls-weak-certificate (the server's certificate: an RSA key of 1024 bits (NIST SP 800-131A: at least 2048); signed with SHA-1",
            weak.Weakness);
    }

    [Fact]
    public void An_x509_log_naming_neither_fingerprint_nor_id_is_rejected_with_its_line()
    {
        string conn = Write("conn.log", ConnHeader + "1764669601\tCweak\t10.77.0.100\t40000\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n");
        string x509 = Write("x509.log", Header + "#path\tx509\n#fields\tts\tcertificate.sig_alg\n1764669601.1\tsha1WithRSAEncryption\n");
        var run = Run(conn, x509);
        Assert.Single(run.Flows);
        Assert.Equal($"{x509}: line 7: #fields of the x509 log name no fingerprint or id", Assert.Single(run.Records.ZeekJoinProblems).ToString());
    }

    [Fact]
    public void A_zeek_log_without_connections_is_not_read_as_flows()
    {
        // Read as conn.log, dns.log's record was a flow of no packets, unanswered: a DNS query that failed, which it did not.
        string dns = Write("dns.log", Dns), conn = Write("conn.log", Conn);

        var run = Run(conn, dns);

        Assert.Equal(4, run.Flows.Count);
        Assert.Single(run.Flows, f => f.RecordId == "Cdns");
        Assert.Equal((0L, 4L), (run.Records.Rejected, run.Records.Read));
        Assert.Equal($"{dns}: dns", Assert.Single(run.Records.OtherZeekLogs));
    }

    [Fact]
    public void A_json_log_named_by_path_is_read_for_what_its_path_says()
    {
        // Zeek's JSON streaming writes _path: a dns record with proto is still no connection.
        string dns = Write("dns.json", """{"_path":"dns","ts":1764669600,"uid":"Cdns","id.orig_h":"10.0.0.5","id.orig_p":53535,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","query":"example.org"}""" + "\n");
        string ssl = Write("ssl.json", """{"_path":"ssl","ts":1764669601.1,"uid":"Ctls","server_name":"www.example.com"}""" + "\n");
        string rpc = Write("dce_rpc.json", """{"_path":"dce_rpc","ts":1764669600.5,"uid":"Cbare","endpoint":"netlogon","operation":"NetrServerAuthenticate3"}""" + "\n");
        string conn = Write("conn.log", Conn);

        var run = Run(dns, ssl, rpc, conn);

        Assert.Equal(4, run.Flows.Count);
        Assert.Equal("sni=www.example.com", run.Flows.Single(f => f.RecordId == "Ctls").AppDetail?.ToString());
        var netlogon = Assert.Single(run.Flows.Single(f => f.RecordId == "Cbare").RpcCalls!.Bindings);
        Assert.Equal((new Guid("12345678-1234-abcd-ef00-01234567cffb"), 26), (netlogon.Uuid, Assert.Single(netlogon.Opnums)));
        Assert.Equal($"{dns}: dns", Assert.Single(run.Records.OtherZeekLogs));
    }
}
