using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Tests.Sources.Records;

namespace PortAudit.Tests.Report;

/// <summary>
/// One audit of the lab's capture with a Zeek record and a firewall's logged drop of the same hosts: every report says
/// how many verdicts rest on inspected content, an exporter's application id, the port alone and a firewall log, and
/// each finding and coverage row says its own basis.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class EvidenceBasisReportTests : IDisposable
{
    // Kerberos from the lab's client to its DC with no service named: a verdict on the port.
    private const string ZeekLog = """
        #separator \x09
        #fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents
        1700000000.000000	CkerbPort	10.77.0.100	40001	10.77.0.30	88	tcp	-	0.1	100	200	SF	-	-	0	ShADadFf	5	400	5	500	-
        """;

    // The lab's firewall dropping the client's SIP/TLS to the Front End: required-blocked on the firewall's word.
    private const string DropLog =
        "Nov 22 10:00:00 fw kernel: [123.456] DROP IN=eth0 OUT=eth1 SRC=10.77.0.100 DST=10.77.0.10 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40002 DPT=5061 WINDOW=64240 RES=0x00 SYN URGP=0\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("portaudit-evidence").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AuditOutcome Run()
    {
        File.WriteAllText(Path.Combine(_dir, "conn.log"), ZeekLog);
        File.WriteAllText(Path.Combine(_dir, "fw.log"), DropLog);
        string inventory = SharedData.InRepository("captures/lab.yaml");
        var context = VerdictComparison.Context(inventory);
        var settings = new AuditSettings { OutputDirectory = Path.Combine(_dir, "out"), InventoryName = inventory };
        using var run = new AuditRun(context, settings, new FlowTableOptions());
        return run.Run([.. CaptureFileSource.Of([SharedData.InRepository("captures/lab.pcapng")]),
            new RecordFileSource(Path.Combine(_dir, "conn.log")), new RecordFileSource(Path.Combine(_dir, "fw.log"))]);
    }

    [Fact]
    public void The_summary_counts_verdicts_per_basis_in_every_report()
    {
        var outcome = Run();
        var evidence = outcome.Report.Summary.Evidence;
        Assert.Equal([FlowEvidence.Inspected, FlowEvidence.PortOnly, FlowEvidence.FirewallLog], evidence.Bases);
        // Port-only: the Zeek record, and the lab capture's one expected packet flow whose payload no inspector recognised.
        Assert.Equal((2L, 1L), (evidence.Count(FlowEvidence.PortOnly, Verdict.Expected), evidence.Flows(FlowEvidence.FirewallLog)));
        long inspected = evidence.Flows(FlowEvidence.Inspected), portOnly = evidence.Flows(FlowEvidence.PortOnly);
        Assert.Equal(outcome.Report.Summary.Flows, inspected + portOnly + 1);

        string md = File.ReadAllText(Path.Combine(outcome.OutputDirectory, "report.md"));
        Assert.Contains($"Verdicts rest on: {inspected} flows inspected, {portOnly} port-only, 1 firewall-log.", md, StringComparison.Ordinal);
        Assert.Contains($"| port-only | {portOnly} | ", md, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outcome.OutputDirectory, "report.json")));
        var bases = json.RootElement.GetProperty("summary").GetProperty("evidence");
        Assert.Equal(["inspected", "port-only", "firewall-log"], bases.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, bases.GetProperty("port-only").GetProperty("verdicts").GetProperty("expected").GetInt32());

        string html = File.ReadAllText(Path.Combine(outcome.OutputDirectory, "report.html"));
        Assert.Contains("Verdicts rest on", html, StringComparison.Ordinal);
        Assert.Contains("port-only: flow records with addresses, ports and counters only", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finding_backed_by_a_firewall_log_says_so()
    {
        var outcome = Run();
        var blocked = Assert.Single(outcome.Report.Findings, f => f.Kind == FindingKind.RequiredBlocked && f.Ports == "5061");
        Assert.Equal(1, blocked.Tally.Count(FlowEvidence.FirewallLog));
        // Its row in report.md: flows, then the basis of each.
        string md = File.ReadAllText(Path.Combine(outcome.OutputDirectory, "report.md"));
        var row = md.Split('\n').Single(l => l.StartsWith($"| {blocked.Id} |", StringComparison.Ordinal));
        Assert.Contains($"| {blocked.Tally.Flows} ({blocked.Tally.FailedFlows}) | {PortAudit.Report.EvidenceText.Of(blocked.Tally)} |", row, StringComparison.Ordinal);
        Assert.Contains("1 firewall-log", row, StringComparison.Ordinal);
    }
}
