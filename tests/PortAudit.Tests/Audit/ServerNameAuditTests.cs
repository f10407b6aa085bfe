using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Sources.Records;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A rule that names its servers (<c>serverNames</c>) allows the conversations with those names only: a TLS, DTLS or
/// QUIC hello whose SNI, an HTTP request whose Host or a CONNECT whose target names another is a protocol mismatch on an
/// allowed port, with the name in its reason; a flow of such a protocol that names no server is allowed by its port, and
/// says so. Judged on a real capture (KakaoTalk_chat.pcap: a phone's TLS to Facebook's and Kakao's servers) and on built
/// flows for what the capture lacks.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ServerNameAuditTests
{
    private const string SiteRules = """
        rules:
          - id: site-app-tls
            from: workstation
            to: any@external
            transport: tcp
            port: 443
            protocol: tls
            serverNames: [graph.facebook.com, "*.kakao.com"]
            notes: the messaging app's servers
          - id: site-app-web
            from: workstation
            to: any@external
            transport: tcp
            port: 80
            protocol: http
            serverNames: [www.facebook.com]
        """;

    // The capture's phone; its servers are addresses of the Internet, zone external.
    private const string Inventory = "hosts:\n  - {name: phone, addresses: [10.24.82.188], roles: [workstation]}\n";

    // The repository's catalog with the site's rules, and the phone's inventory.
    private static AuditContext Context()
    {
        var catalog = RepositoryCatalogWith(SiteRules);
        return AuditContext.Create(catalog, LoadInventory(Inventory, catalog));
    }

    private const string TlsNames = "graph.facebook.com, *.kakao.com";

    [SharedDataFact("captures/KakaoTalk_chat.pcap")]
    public void TlsNamingAnotherServerOnTheAllowedPortIsAMismatchAndANamelessHelloRestsOnThePort()
    {
        var (flows, report) = SharedCaptureAuditTests.Audit(Context(), SharedData.Path("captures/KakaoTalk_chat.pcap")!);
        var tls = flows.Where(f => f.Flow.ServerPort == 443 && f.Flow.App == AppLabel.Tls).ToList();
        string? Sni(Flow flow) => flow.AppDetail?.Find("sni");

        // Named elsewhere: api. and developers.facebook.com.
        var misnamed = tls.Where(f => Sni(f.Flow) is "api.facebook.com" or "developers.facebook.com").ToList();
        Assert.Equal(2, misnamed.Count);
        Assert.All(misnamed, f => Assert.Equal(
            (Verdict.ProtocolMismatch, $"tls names its server '{Sni(f.Flow)}', which rule site-app-tls does not allow (it allows {TlsNames})"),
            (f.Verdict.Verdict, f.Verdict.Reason)));
        // Named as the rule allows.
        var named = Assert.Single(tls, f => Sni(f.Flow) == "graph.facebook.com");
        Assert.Equal((Verdict.Expected, (string?)null), (named.Verdict.Verdict, named.Verdict.Reason));
        // Hellos without SNI (or not read): allowed by the port, which the reason says.
        var nameless = tls.Where(f => Sni(f.Flow) is null).ToList();
        Assert.Equal(6, nameless.Count);
        Assert.All(nameless, f => Assert.Equal(
            (Verdict.Expected, $"tls names no server where rule site-app-tls allows only {TlsNames}: allowed by port only"),
            (f.Verdict.Verdict, f.Verdict.Reason)));
        // HTTP whose Host the rule names.
        Assert.All(flows.Where(f => f.Flow.App == AppLabel.Http), f => Assert.Equal(Verdict.Expected, f.Verdict.Verdict));
        // One finding, its reason the first flow's name.
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "443");
        Assert.Equal(2, finding.Tally.Flows);
        Assert.Contains("names its server '", finding.Reason);
    }

    [SharedDataFact("captures/KakaoTalk_chat.pcap")]
    public void TheConsoleSummaryGivesTheMismatchsReasonUnderItsLine()
    {
        var (_, report) = SharedCaptureAuditTests.Audit(Context(), SharedData.Path("captures/KakaoTalk_chat.pcap")!);
        var console = new StringWriter();
        PortAudit.Report.Audits.AuditConsoleSummary.Write(console, report, "out");

        // The kind and port alone do not say which name the rule refused: the line under the finding does.
        var lines = console.ToString().ReplaceLineEndings("\n").Split('\n');
        int at = Array.FindIndex(lines, l => l.Contains("protocol-mismatch") && l.Contains("443/tcp"));
        Assert.True(at >= 0, console.ToString());
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "443");
        Assert.Equal("         " + finding.Reason, lines[at + 1]);
        foreach (string name in new[] { "api.facebook.com", "developers.facebook.com" })
            Assert.Contains($"tls names its server '{name}', which rule site-app-tls does not allow (it allows {TlsNames})", lines[at + 1]);
    }

    [Theory]
    // A Host with its port, and a CONNECT target, compare by name.
    [InlineData(80, "http", "GET; host=www.facebook.com:80", Verdict.Expected)]
    [InlineData(80, "http", "GET; host=WWW.FACEBOOK.COM", Verdict.Expected)]
    [InlineData(80, "http", "GET; host=pastebin.com", Verdict.ProtocolMismatch)]
    // An address is no name the rule allows.
    [InlineData(80, "http", "GET; host=31.13.68.84", Verdict.ProtocolMismatch)]
    [InlineData(443, "tls", "sni=up-m.talk.kakao.com; version=tls1.3", Verdict.Expected)]
    [InlineData(443, "tls", "sni=kakao.com.evil.example; version=tls1.3", Verdict.ProtocolMismatch)]
    // A byte no name holds (inspection escapes it, %00) makes it no DNS name, whatever it ends with.
    [InlineData(443, "tls", "sni=pastebin.com%00.kakao.com; version=tls1.3", Verdict.ProtocolMismatch)]
    public void AHostOrSniIsJudgedByName(ushort port, string app, string detail, Verdict expected)
    {
        Assert.Equal(expected, Audit(port, app, detail).Verdict);
    }

    [Theory]
    // Cut where inspection stops keeping it, a name's end is not known: "...kakao.com" may go on ".evil.example".
    [InlineData(443, "tls", "sni", 253)]
    [InlineData(80, "http", "host", 100)]
    public void ANameCutByInspectionIsRefusedAndSaysSo(ushort port, string app, string key, int kept)
    {
        string cut = new string('a', kept - ".up.kakao.com".Length) + ".up.kakao.com";

        var verdict = Audit(port, app, $"{key}={cut}");

        Assert.Equal(Verdict.ProtocolMismatch, verdict.Verdict);
        Assert.Contains($"'{cut}' (cut at {kept} characters: its end is not known)", verdict.Reason);
        // One character shorter, the name is whole and judged as a name.
        Assert.DoesNotContain("cut at", Audit(port, app, $"{key}={cut[1..]}").Reason ?? "");
    }

    [SharedDataFact("flowdata/zeek/wikipedia-dns-http/conn.log")]
    public void AZeekRecordGivesNoNameAndItsReasonBlamesTheRecordNotTheClient()
    {
        // Zeek's conn.log names the service (http), not the Host, which Zeek writes in http.log.
        var rules = RepositoryCatalogWith(SiteRules.Replace("[www.facebook.com]", "[www.wikipedia.org]"));
        var context = AuditContext.Create(rules, LoadInventory("hosts:\n  - {name: ws, addresses: [141.142.220.118], roles: [workstation]}\n", rules));
        string log = SharedData.Path("flowdata/zeek/wikipedia-dns-http/conn.log")!;

        var (flows, _) = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(log, RecordFormat.ZeekTsv)]);

        var http = flows.Where(f => f.Flow.App == AppLabel.Http).ToList();
        Assert.Equal(8, http.Count);
        Assert.All(http, f => Assert.Equal(
            (Verdict.Expected, "the flow record (exporter-app-id) gives http but no server name where rule site-app-web allows only www.wikipedia.org: allowed by port only"),
            (f.Verdict.Verdict, f.Verdict.Reason)));
    }

    [SharedDataFact("flowdata/zeek/wikipedia-dns-http/conn.log")]
    public void A_zeek_record_with_its_http_log_is_judged_by_its_host_as_the_capture_is()
    {
        // Zeek writes each request's Host in http.log, joined to conn.log by uid. No http.log of this capture is in
        // ../shared: it is written here in Zeek's JSON form from the Hosts our inspection reads in the capture Zeek read
        // (wikipedia.pcap, beside its conn.log), each with the uid conn.log gives the same connection.
        var rules = RepositoryCatalogWith(SiteRules.Replace("[www.facebook.com]", "[upload.wikimedia.org]"));
        var context = AuditContext.Create(rules, LoadInventory("hosts:\n  - {name: ws, addresses: [141.142.220.118], roles: [workstation]}\n", rules));
        string log = SharedData.Path("flowdata/zeek/wikipedia-dns-http/conn.log")!;
        var (captured, _) = SharedCaptureAuditTests.Audit(context, Path.Combine(Path.GetDirectoryName(log)!, "wikipedia.pcap"));
        var capturedHttp = captured.Where(f => f.Flow.App == AppLabel.Http).ToDictionary(f => Ends(f.Flow));
        var uids = PortAudit.Tests.Sources.Records.RecordRun.File(log).Flows.Where(f => f.App == AppLabel.Http).ToDictionary(Ends, f => f.RecordId!);
        string http = Path.Combine(Path.GetTempPath(), $"portaudit-http-{Guid.NewGuid():N}.log");
        // Of the nine requests inspection reads, Zeek joined the capture at the first one's middle (OTH, no service):
        // its http.log has the eight connections its conn.log labels http.
        File.WriteAllLines(http, uids.Select(pair =>
            $$"""{"ts":0,"uid":"{{pair.Value}}","trans_depth":1,"method":"GET","host":"{{capturedHttp[pair.Key].Flow.AppDetail!.Find("host")}}"}"""));
        try
        {
            var (flows, _) = SharedCaptureAuditTests.Audit(context, RecordFileSource.Of([log, http]));

            var judged = flows.Where(f => f.Flow.App == AppLabel.Http).ToList();
            Assert.Equal(8, judged.Count);
            // Six requests to upload.wikimedia.org are allowed, those to bits. and meta. refused: both are there to compare.
            Assert.Contains(judged, f => f.Verdict.Verdict == Verdict.ProtocolMismatch);
            Assert.Contains(judged, f => f.Verdict.Verdict == Verdict.Expected);
            Assert.All(judged, f => Assert.Equal(
                (capturedHttp[Ends(f.Flow)].Verdict.Verdict, capturedHttp[Ends(f.Flow)].Verdict.Reason),
                (f.Verdict.Verdict, f.Verdict.Reason)));
        }
        finally
        {
            File.Delete(http);
        }
    }

    private static (string, ushort, string, ushort) Ends(Flow flow) => (flow.Client.ToString(), flow.ClientPort, flow.Server.ToString(), flow.ServerPort);

    private static FlowVerdict Audit(ushort port, string app, string detail) =>
        new FlowAuditor(Context()).Audit(Inspected(Established("10.24.82.188", "31.13.68.84", port), AppLabel.Of(app), detail));
}
