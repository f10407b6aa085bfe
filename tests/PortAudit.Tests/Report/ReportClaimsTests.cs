using System.Text.Json;
using System.Text.RegularExpressions;
using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Policy;
using PortAudit.Report.Audits;
using PortAudit.Report.Html;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Tests.Sources.Records;

namespace PortAudit.Tests.Report;

/// <summary>
/// What the reports for people claim (report.html's overview and sections, report.md, the console summary) against
/// report.json and the audit's own counts: each number and label says what the record says.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public partial class ReportClaimsTests(ReportClaimsTests.LabWithFirewall lab) : IClassFixture<ReportClaimsTests.LabWithFirewall>
{
    /// <summary>The lab's capture audited once with the Front End's own firewall (captures/lab-fe01.json), as docs/policy.md's worked example.</summary>
    public sealed class LabWithFirewall : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public LabWithFirewall()
        {
            var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
            var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
            var policy = PolicyLoader.Load(SharedData.InRepository("captures/lab-fe01.json"), PolicyFormat.NftJson, name: "fe01");
            using var run = new AuditRun(context, new AuditSettings { OutputDirectory = _dir.File(""), Firewalls = [policy] }, new FlowTableOptions());
            Report = run.Run(CaptureFileSource.Of([SharedData.InRepository("captures/lab.pcapng")])).Report;
            Html = File.ReadAllText(_dir.File("report.html"));
        }

        /// <summary>The path of the audit's output <paramref name="name"/>.</summary>
        internal string OutDir(string name) => _dir.File(name);

        internal AuditReport Report { get; }

        internal string Html { get; }

        public void Dispose() => _dir.Dispose();
    }

    [Fact]
    public void Each_finding_kind_has_its_own_meaning_in_the_overview()
    {
        var meanings = KindRow().Matches(lab.Html).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        // Every kind the summary counts (anomalous only with --model).
        Assert.Equal(lab.Report.Summary.Findings.Keys.Select(k => k.Name()), meanings.Keys);
        // rpc-interface and weak-protocol read "traffic with an end the inventory does not name", unmapped's meaning.
        Assert.Equal(meanings.Count, meanings.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("DCE/RPC interface", meanings["rpc-interface"], StringComparison.Ordinal);
        Assert.Contains("SMB1", meanings["weak-protocol"], StringComparison.Ordinal);
    }

    [Fact]
    public void Report_md_gives_each_finding_its_failed_flows_as_report_html_does()
    {
        string md = File.ReadAllText(lab.OutDir("report.md"));
        var blocked = lab.Report.Findings.Single(f => f.Kind == FindingKind.RequiredBlocked);
        Assert.Equal((1, 1), (blocked.Tally.Flows, blocked.Tally.FailedFlows));

        // The rejected attempt is what makes the finding required-blocked; the table said "| 1 |" where the page says "1 (1)".
        Assert.Single(md.Split('\n'), l => l.StartsWith("| id | severity | kind | client | server | port | rule | flows (failed) | basis |", StringComparison.Ordinal));
        string row = md.Split('\n').Single(l => l.StartsWith($"| {blocked.Id} |", StringComparison.Ordinal));
        Assert.Contains("| 5061/tcp | lync-fe-sip-tls | 1 (1) | 1 port-only |", row, StringComparison.Ordinal);
        Assert.Contains("<td>1 (1)\n1 port-only</td>", lab.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_findings_without_traffic_are_not_counted_as_required_rules_never_seen()
    {
        // The lab has no missing finding; its two policy-blocks-required and two policy-unjustified findings carry no flow.
        Assert.Equal(0, lab.Report.Summary.Findings[FindingKind.Missing]);
        var policy = lab.Report.Findings.Where(f => f.RolePair is null).ToList();
        Assert.Equal(4, policy.Count);
        Assert.All(policy, f => Assert.StartsWith("policy-", f.Kind.Name(), StringComparison.Ordinal));

        string neverSeen = Section(lab.Html, "never-seen");
        Assert.Contains("<h2>Required rules never seen</h2><span>0 findings</span>", neverSeen, StringComparison.Ordinal);
        Assert.All(policy, f => Assert.DoesNotContain(f.Id, neverSeen, StringComparison.Ordinal));
        string section = Section(lab.Html, "policy-findings");
        Assert.Contains("<h2>Firewall policy findings</h2><span>4 findings</span>", section, StringComparison.Ordinal);
        Assert.All(policy, f => Assert.Contains(f.Id, section, StringComparison.Ordinal));
    }

    [Fact]
    public void A_clean_verdict_does_not_claim_required_rules_the_capture_could_not_show_were_seen()
    {
        // windows-lab's counts: no finding, 17 of 53 instances seen, 3 covered by an alternative, 33 not exercised.
        var coverage = new CoverageCounts(53, 17, 0, 0, 0) { AlternativeSeen = 3, NotExercised = 33 };
        var verdicts = new Dictionary<Verdict, long> { [Verdict.Expected] = 234, [Verdict.ExpectedDynamicRpc] = 3 };
        var report = new AuditReport(new AuditSummary(237, 0, verdicts, new Dictionary<FindingKind, int>(), coverage), [], [], []);

        string sentence = VerdictSentence.Of(report);

        Assert.DoesNotContain("every required rule was seen", sentence, StringComparison.Ordinal);
        Assert.Contains("no required rule the capture could show is missing (17 of 53 rule instances seen, 3 covered by an alternative, " +
                        "33 not exercised by this capture)", sentence, StringComparison.Ordinal);
        Assert.Contains("every one of the 237 flows between 0 role pairs is allowed by the catalog", sentence, StringComparison.Ordinal);

        // Flows of ignored hosts are not judged: "every one ... is allowed by the catalog" would count them.
        var ignoring = report with { Summary = report.Summary with { Flows = 240, Verdicts = new Dictionary<Verdict, long>(verdicts) { [Verdict.Ignored] = 3 } } };
        string withIgnored = VerdictSentence.Of(ignoring);
        Assert.DoesNotContain("every one of the 240 flows", withIgnored, StringComparison.Ordinal);
        Assert.Contains("every one the catalog judged is allowed (3 flows of ignored hosts were not judged)", withIgnored, StringComparison.Ordinal);
    }

    [Fact]
    public void The_console_coverage_line_names_every_status_so_its_counts_add_up_to_the_instances()
    {
        var coverage = new CoverageCounts(63, 17, 1, 0, 2) { AlternativeSeen = 1, Contradicted = 2, NotExercised = 40 };
        var report = new AuditReport(new AuditSummary(0, 0, new Dictionary<Verdict, long>(), new Dictionary<FindingKind, int>(), coverage), [], [], []);
        var console = new StringWriter();

        AuditConsoleSummary.Write(console, report, "out");

        string line = console.ToString().Split('\n').Single(l => l.StartsWith("coverage: ", StringComparison.Ordinal));
        Assert.Equal("coverage: 17/63 rule instances seen, 1 failed, 2 contradicted, 0 required never seen, 2 optional never seen, " +
                     "1 covered by an alternative, 40 not exercised by this capture", line.TrimEnd('\r'));
    }

    [Fact]
    public void Report_json_counts_the_filter_rules_read_as_report_md_does_and_the_nat_rules_apart()
    {
        using var dir = new TempDirectory();
        string file = dir.File("edge.rules");
        File.WriteAllText(file, """
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.77.0.10:8000
            -A POSTROUTING -o eth0 -j MASQUERADE
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -p tcp --dport 5061 -j ACCEPT
            COMMIT

            """);
        var policy = PolicyLoader.Load(file, PolicyFormat.Iptables, name: "edge");
        var firewall = new FirewallReport("edge", policy, null, [], []);
        int filterRules = policy.Rules.Count(r => r.Nat is null), natRules = policy.Nat.Count();
        Assert.True(filterRules > 0 && natRules == 2, $"{filterRules} filter rules, {natRules} NAT rules");

        var markdown = new StringWriter();
        FirewallReportWriter.WriteMarkdown(markdown, [firewall]);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            FirewallReportWriter.WriteJson(json, [firewall]);
            json.WriteEndObject();
        }
        var written = JsonDocument.Parse(stream.ToArray()).RootElement.GetProperty("firewalls")[0];

        Assert.Contains($"{filterRules} rules read, 0 constructs not understood, 2 NAT rules", markdown.ToString(), StringComparison.Ordinal);
        // rulesRead counted the NAT rules too: 16 for an ASA file of 16 NAT rules whose report.md said "0 rules read".
        Assert.Equal(filterRules, written.GetProperty("rulesRead").GetInt32());
        Assert.Equal(natRules, written.GetProperty("nat").GetArrayLength());
    }

    // Zeek conn.log records of the lab client: its Kerberos at ts 1700000000 (2023-11-14), its SIP over TLS a day later.
    private const string Kerberos = "1700000000.000000\tCa\t10.77.0.100\t40001\t10.77.0.30\t88\ttcp\t-\t2.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t400\t5\t500\t-";
    private const string SipTls = "1700086400.000000\tCb\t10.77.0.100\t40002\t10.77.0.10\t5061\ttcp\t-\t3.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t400\t5\t500\t-";

    // report.json's capture and provenance.capture of the lab audit of a conn.log of <paramref name="records"/>, read
    // after <paramref name="captures"/>; report.html's text.
    private static (string Start, string End, double Seconds, string First, string Last, double ProvenanceSeconds, string Html) AuditSpans(
        string[] captures, params string[] records)
    {
        using var dir = new TempDirectory();
        string log = dir.File("conn.log");
        File.WriteAllText(log, "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\t" +
            "resp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n" +
            string.Join("\n", records) + "\n");
        string inventory = SharedData.InRepository("captures/lab.yaml");
        var settings = new AuditSettings { OutputDirectory = dir.File("out"), InventoryName = inventory };
        using (var run = new AuditRun(VerdictComparison.Context(inventory), settings, new FlowTableOptions()))
            run.Run([.. captures.Select(c => new CaptureFileSource(SharedData.InRepository(c))), new RecordFileSource(log)]);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("out/report.json")));
        var capture = json.RootElement.GetProperty("capture");
        var provenance = json.RootElement.GetProperty("provenance").GetProperty("capture");
        return (capture.GetProperty("start").GetString()!, capture.GetProperty("end").GetString()!, capture.GetProperty("seconds").GetDouble(),
            provenance.GetProperty("first").GetString()!, provenance.GetProperty("last").GetString()!, provenance.GetProperty("seconds").GetDouble(),
            File.ReadAllText(dir.File("out/report.html")));
    }

    [Fact]
    public void Flow_records_alone_give_their_flows_time_span_in_provenance_and_on_the_page()
    {
        // Two records a day apart, flows without packets.
        var spans = AuditSpans([], Kerberos, SipTls);

        Assert.Equal("2023-11-14T22:13:20.000000Z", spans.Start);
        // provenance.capture said first null, last null, seconds 0 beside capture's day.
        Assert.Equal((spans.Start, spans.End, spans.Seconds), (spans.First, spans.Last, spans.ProvenanceSeconds));
        // report.html said "Time span: no packets".
        Assert.Contains("<tr><td>Time span</td><td>2023-11-14 22:13:20.000000Z to 2023-11-15 22:13:23.000000Z (1 d)</td></tr>", spans.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Flow_records_beside_a_capture_give_both_time_spans_in_provenance()
    {
        // One record three years before the lab capture: report.json's capture spans both, provenance.capture spanned the
        // packets alone (2026-11-21, 8.8 s).
        var spans = AuditSpans(["captures/lab.pcapng"], Kerberos);

        Assert.Equal(("2023-11-14T22:13:20.000000Z", "2026-11-21T07:20:56.702578Z"), (spans.Start, spans.End));
        Assert.Equal((spans.Start, spans.End), (spans.First, spans.Last));
        // capture.seconds is written to the microsecond, provenance's to the nanosecond.
        Assert.Equal(spans.Seconds, spans.ProvenanceSeconds, 6);
    }

    // The page's section of id <paramref name="id"/>, from its opening tag to its end.
    private static string Section(string html, string id)
    {
        int start = html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex("<tr><td>([a-z-]+)</td><td>[0-9,]+</td><td>[0-9,]+</td><td>([^<]*)</td></tr>")]
    private static partial Regex KindRow();
}
