using PortAudit.Flows;
using PortAudit.Report.Text;
using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Report;
using PortAudit.Report.Records;

namespace PortAudit.Report.Audits;

/// <summary>
/// Writes report.md, the report for people: the summary, findings worst first, coverage per role pair
/// (optional rules never seen listed apart), then traffic per role pair, and the plots' pictures when they were drawn.
/// </summary>
public static class AuditMarkdownWriter
{
    /// <summary>
    /// Writes <paramref name="report"/>; <paramref name="title"/> names what was audited, <paramref name="provenance"/>
    /// (when given) the inputs that findings' frames refer to; <paramref name="plots"/> (when given) is where the plots'
    /// pictures are, relative to report.md (<see cref="MarkdownPlotLinks"/>).
    /// </summary>
    public static void Write(TextWriter writer, AuditReport report, string title, AuditProvenance? provenance = null, string? plots = null)
    {
        string incomplete = IncompleteReasonNames.FirstLinePrefix(report.Incomplete);
        writer.WriteLine($"# {incomplete}PortAudit report: {OutsideText.Markdown(title)}");
        writer.WriteLine();
        WriteSummary(writer, report.Summary, report.Packets);
        WriteGroups(writer, report.Findings);
        WriteFindings(writer, report.Findings, report.Triage, provenance);
        WriteTriage(writer, report);
        WriteCoverage(writer, report.Coverage);
        FirewallReportWriter.WriteMarkdown(writer, report.Firewalls);
        WriteRolePairs(writer, report.RolePairs);
        if (plots is not null) MarkdownPlotLinks.Write(writer, report, plots);
    }

    private static void WriteSummary(TextWriter writer, AuditSummary summary, PacketCounts packets)
    {
        writer.WriteLine("## Summary");
        writer.WriteLine();
        writer.WriteLine($"{summary.Flows} flows, {summary.FailedAttempts} failed attempts.");
        writer.WriteLine();
        if (PacketText.Describe(packets) is { } read)
        {
            writer.WriteLine($"Packets: {read}.");
            writer.WriteLine();
        }
        var verdicts = new MarkdownTable(writer, "verdict", "flows");
        foreach (var (verdict, count) in summary.Verdicts) verdicts.Row(verdict.Name(), count);
        writer.WriteLine();
        WriteEvidence(writer, summary.Evidence);
        var findings = new MarkdownTable(writer, "finding", "count");
        foreach (var (kind, count) in summary.Findings) findings.Row(kind.Name(), count);
        writer.WriteLine();
        writer.WriteLine($"Coverage: {CoverageText.Counts(summary.Coverage)}.");
        writer.WriteLine();
    }

    // The counts report.html's findings open with, so that a reader of either triages by the same numbers.
    private static void WriteGroups(TextWriter writer, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0) return;
        writer.WriteLine("Findings by kind and role pair:");
        writer.WriteLine();
        var table = new MarkdownTable(writer, "kind", "role pair", "findings");
        foreach (var kind in FindingGroups.Of(findings))
            foreach (var pair in kind.Pairs) table.Row(kind.Name, pair.Label, pair.Count);
        writer.WriteLine();
    }

    // Verdicts per basis: flow records judged at the port must not read as inspected content.
    private static void WriteEvidence(TextWriter writer, EvidenceBasis evidence)
    {
        if (EvidenceText.Summary(evidence) is not { } summary) return;
        writer.WriteLine($"Verdicts rest on: {summary}.");
        writer.WriteLine();
        var shown = VerdictNames.All.Where(v => evidence.Bases.Any(e => evidence.Count(e, v) > 0)).ToList();
        var table = new MarkdownTable(writer, ["basis", "flows", .. shown.Select(v => v.Name()), "what it rests on"]);
        foreach (var e in evidence.Bases)
            table.Row([e.Name(), evidence.Flows(e), .. shown.Select(v => (object)evidence.Count(e, v)), EvidenceText.Meaning(e)]);
        writer.WriteLine();
    }

    private static void WriteFindings(TextWriter writer, IReadOnlyList<Finding> findings, FindingTriage triage, AuditProvenance? provenance)
    {
        writer.WriteLine("## Findings");
        writer.WriteLine();
        if (findings.Count == 0)
        {
            writer.WriteLine("None.");
            writer.WriteLine();
            return;
        }
        // Every finding shows the id a suppression or a ticket names; a triaged report leads with the status too.
        bool triaged = triage.HasBaseline || triage.HasSuppressions;
        string[] headers = ["id", "severity", "kind", "client", "server", "port", "rule", "flows (failed)", "basis", "bytes", "first", "why", "where"];
        var table = new MarkdownTable(writer, triaged ? ["triage", .. headers] : headers);
        foreach (var f in findings)
        {
            object?[] cells = [f.Id, f.Severity.Name(), f.Kind.Name(), Host(f.ClientHost, f.ClientRoles), Host(f.ServerHost, f.ServerRoles),
                f.Service, f.Rule, FindingText.FlowsAndFailed(f.Tally), EvidenceText.Of(f.Tally), f.Tally.Bytes, f.Tally.Dated > 0 ? Timestamps.ToIso(f.Tally.FirstNs) : null,
                Why(f), Where(f, provenance)];
            table.Row(triaged ? [TriageText.Label(triage, f), .. cells] : cells);
        }
        writer.WriteLine();
    }

    private static void WriteTriage(TextWriter writer, AuditReport report)
    {
        var triage = report.Triage;
        if (TriageText.Baseline(report) is { } baseline)
        {
            writer.WriteLine("## Resolved since the baseline");
            writer.WriteLine();
            writer.WriteLine(baseline + ".");
            writer.WriteLine();
            if (triage.Resolved.Count > 0)
            {
                var table = new MarkdownTable(writer, "id", "severity", "kind", "client", "server", "port", "rule");
                foreach (var f in triage.Resolved)
                    table.Row(f.Id, f.Severity, f.Kind.Name(), f.ClientHost, f.ServerHost, f.Service, f.Rule);
                writer.WriteLine();
            }
        }
        if (TriageText.Suppressions(triage) is { } suppressions)
        {
            writer.WriteLine("## Suppressions");
            writer.WriteLine();
            writer.WriteLine(suppressions + ".");
            writer.WriteLine();
            var suppressed = report.Findings.Where(f => triage.SuppressionOf(f) is not null).ToList();
            if (suppressed.Count > 0)
            {
                var table = new MarkdownTable(writer, "id", "kind", "client", "server", "port", "suppressed");
                foreach (var f in suppressed)
                    table.Row(f.Id, f.Kind.Name(), f.ClientHost, f.ServerHost, f.Service, TriageText.Suppressed(triage.SuppressionOf(f)!));
                writer.WriteLine();
            }
            if (triage.Expired.Count > 0)
            {
                writer.WriteLine("Expired entries (they suppress nothing until renewed):");
                writer.WriteLine();
                var table = new MarkdownTable(writer, "entry", "expired", "owner", "matches", "justification");
                foreach (var e in triage.Expired)
                    table.Row(e.Source, TriageText.Date(e.Expires), e.Owner, e.Describe(), e.Justification);
                writer.WriteLine();
            }
        }
    }

    private static void WriteCoverage(TextWriter writer, IReadOnlyList<CoverageEntry> coverage)
    {
        writer.WriteLine("## Coverage per role pair");
        writer.WriteLine();
        var listed = coverage.Where(e => e.Rule.Required || e.Status != CoverageStatus.NeverSeen);
        foreach (var group in listed.GroupBy(e => (e.Rule.From, e.Rule.To)))
        {
            writer.WriteLine($"### {OutsideText.Markdown(group.Key.From.ToString())} → {OutsideText.Markdown(group.Key.To.ToString())}");
            writer.WriteLine();
            var table = new MarkdownTable(writer, "status", "rule", "from", "to", "port", "protocol", "required", "flows", "basis");
            foreach (var e in group.OrderBy(e => e.Status).ThenBy(e => e.Rule.Id, StringComparer.Ordinal))
                table.Row(e.Status.Name(), e.Rule.Id, e.FromHost, e.ToHost, Ports(e), e.Rule.Protocol,
                    e.Rule.Required ? "yes" : "no", $"{e.Tally.Flows}{CoverageText.Mismatched(e)}", EvidenceText.Of(CoverageText.Shown(e)));
            writer.WriteLine();
        }
        var optional = coverage.Where(e => !e.Rule.Required && e.Status == CoverageStatus.NeverSeen).ToList();
        writer.WriteLine("## Optional rules never seen");
        writer.WriteLine();
        if (optional.Count == 0)
        {
            writer.WriteLine("None.");
            writer.WriteLine();
            return;
        }
        var rows = new MarkdownTable(writer, "rule", "from", "to", "port", "protocol");
        foreach (var e in optional) rows.Row(e.Rule.Id, e.FromHost, e.ToHost, Ports(e), e.Rule.Protocol);
        writer.WriteLine();
    }

    private static void WriteRolePairs(TextWriter writer, IReadOnlyList<RolePairStatistics> pairs)
    {
        writer.WriteLine("## Traffic per role pair");
        writer.WriteLine();
        string[] headers = ["client roles", "server roles", "flows", "bytes", .. VerdictNames.All.Select(v => v.Name())];
        var table = new MarkdownTable(writer, headers);
        foreach (var p in pairs)
            table.Row([p.ClientRoles, p.ServerRoles, p.Flows, p.Bytes, .. VerdictNames.All.Select(v => (object)p.Count(v))]);
        writer.WriteLine();
    }

    private static string? Why(Finding f) => FindingText.Why(f, "; ");

    /// <summary>
    /// Frames of the first flows (capture file names escaped) and the tshark filter, in a code span so that the filter
    /// pastes as written; the filter is built from addresses and ports alone, never from outside text.
    /// </summary>
    private static MarkdownTable.Markup Where(Finding f, AuditProvenance? provenance) =>
        new(string.Join("; ", new[] { OutsideText.Markdown(FindingText.Frames(f, provenance)), TsharkFilter.For(f) is { } filter ? $"`{filter}`" : null }
            .Where(s => !string.IsNullOrEmpty(s))));

    private static string Host(string name, IReadOnlyList<string> roles) =>
        roles.Count == 0 ? name : $"{name} ({string.Join(", ", roles)})";

    private static string Ports(CoverageEntry e) => $"{string.Join(",", e.Rule.Ports)}/{e.Rule.TransportName}";
}
