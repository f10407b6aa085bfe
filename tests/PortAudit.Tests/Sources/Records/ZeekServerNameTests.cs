using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Sources.Records;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Zeek's logs among a run's inputs, joined as Zeek joins them, by uid: ssl.log's <c>server_name</c> and http.log's
/// <c>host</c> name the server of the conn.log connection with that uid, whatever the order of the files; a log that holds
/// no connections (dns.log) is not read as flows.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ZeekServerNameTests : IDisposable
{
    private const string Header = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n";

    private const string Conn = Header + "#path\tconn\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n" +
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

    private RecordRun Run(params string[] files) => RecordRun.Of([.. RecordFileSource.Of(files)]);

    [Fact]
    public void Ssl_and_http_logs_name_the_servers_of_conn_logs_connections_in_any_order()
    {
        string conn = Write("conn.log", Conn), ssl = Write("ssl.log", Ssl), http = Write("http.log", Http);

        foreach (var order in new[] { new[] { conn, ssl, http }, [http, ssl, conn] })
        {
            var run = Run(order);
            var byUid = run.Flows.ToDictionary(f => f.RecordId!);
            Assert.Equal(4, run.Flows.Count);
            Assert.Equal("sni=paste%0Abin.com; alpn-selected=http/1.1", byUid["Ctls"].AppDetail?.ToString());
            // The first request's Host, as inspection keeps the first request's.
            Assert.Equal("host=www.example.org", byUid["Chttp"].AppDetail?.ToString());
            Assert.Null(byUid["Cbare"].AppDetail);
            Assert.Null(byUid["Cdns"].AppDetail);
            Assert.Equal(2, run.Records.ServerNamesJoined);
            // The damaged ssl.log line is named with its place and is no rejected flow record.
            Assert.Equal((0L, 4L, 1L), (run.Records.Rejected, run.Records.Read, run.Records.ServerNameRecordsUnread));
            Assert.Equal($"{ssl}: line 8: 2 columns where #fields names 12", Assert.Single(run.Records.ServerNameProblems).ToString());
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
        string conn = Write("conn.log", Header + "#path\tconn\n" +
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n" +
            "1764669601\tCh2\t10.77.0.100\t40000\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n" +
            "1764669602\tCnone\t10.77.0.100\t40001\t10.77.0.30\t636\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n");
        string ssl = Write("ssl.log", Header + "#path\tssl\n" +
            "#fields\tts\tuid\tversion\tserver_name\tnext_protocol\testablished\n" +
            "1764669601.1\tCh2\tTLSv12\t-\th2\tT\n" +
            "1764669602.1\tCnone\tTLSv12\tdc01.lab.test\t-\tT\n");
        var auditor = PortAudit.Tests.Audit.AuditFixture.RepositoryAuditor("""
            hosts:
              - {name: dc01, addresses: [10.77.0.30], roles: [domain-controller]}
              - {name: ws, addresses: [10.77.0.100], roles: [workstation]}
            """);

        var byUid = Run(conn, ssl).Flows.ToDictionary(f => f.RecordId!);

        Assert.Equal("alpn-selected=h2", byUid["Ch2"].AppDetail?.ToString());
        Assert.Equal("sni=dc01.lab.test", byUid["Cnone"].AppDetail?.ToString());
        var mismatch = auditor.Audit(byUid["Ch2"]);
        Assert.Equal((Verdict.ProtocolMismatch, "the exporter named 'tls' carrying h2 (HTTP/2, selected by the server by ALPN) where rule " +
            "kb832017-domain-controller-ldaps-tcp-636 expects ldaps"), (mismatch.Verdict, mismatch.Reason));
        Assert.Equal(Verdict.Expected, auditor.Audit(byUid["Cnone"]).Verdict);
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
        string conn = Write("conn.log", Conn);

        var run = Run(dns, ssl, conn);

        Assert.Equal(4, run.Flows.Count);
        Assert.Equal("sni=www.example.com", run.Flows.Single(f => f.RecordId == "Ctls").AppDetail?.ToString());
        Assert.Equal($"{dns}: dns", Assert.Single(run.Records.OtherZeekLogs));
    }
}
