using PortAudit.Catalog;
using PortAudit.Report.Text;
using PortAudit.Audit;
namespace PortAudit.Report.Audits;

/// <summary>The few lines a person reads in the terminal after an audit.</summary>
public static class AuditConsoleSummary
{
    // Host, zone, rule and file names come from outside: each line shows their control and bidi characters as escapes.
    private static void Line(TextWriter writer, string line) => writer.WriteLine(OutsideText.Terminal(line));

    /// <summary>
    /// Verdict counts, finding counts, the baseline and suppressions when given (each expired entry named), and the worst
    /// findings with why each was raised, then where the reports are.
    /// </summary>
    public static void Write(TextWriter writer, AuditReport report, string outputDirectory, int worst = 5)
    {
        var s = report.Summary;
        string incomplete = IncompleteReasonNames.FirstLinePrefix(report.Incomplete);
        Line(writer, $"audit: {incomplete}{s.Flows} flows: " +
                         string.Join(", ", s.Verdicts.Where(v => v.Value > 0).Select(v => $"{v.Value} {v.Key.Name()}")));
        Line(writer, $"findings: " + string.Join(", ", s.Findings.Select(f => $"{f.Value} {f.Key.Name()}")));
        // Every status is named, so that the counts add up to the instances as report.md's and report.html's do.
        var coverage = s.Coverage;
        Line(writer, $"coverage: {coverage.Seen}/{coverage.Instances} rule instances seen, " +
                         $"{coverage.Failed} failed, {coverage.Contradicted} contradicted, {coverage.RequiredNeverSeen} required never seen, " +
                         $"{coverage.OptionalNeverSeen} optional never seen, {coverage.AlternativeSeen} covered by an alternative, " +
                         $"{coverage.NotExercised} not exercised by this capture");
        var c = report.Capture;
        Line(writer, $"capture: {DurationText.Format(TimeSpan.FromSeconds(c.Seconds))}, {c.HostsSeen.Count} of {c.InventoryHosts} inventory hosts seen, zones " +
                         (c.ZonesSeen.Count == 0 ? "none" : string.Join(", ", c.ZonesSeen)) +
                         (c.Seconds < c.MinimumSpan.TotalSeconds ? $" (under {DurationText.Format(c.MinimumSpan)}: no missing findings)" : ""));
        if (report.Records.Rejected > 0)
            Line(writer, $"records: {report.Records.Read} read, {report.Records.Rejected} rejected" +
                         (report.Records.TooManyRejected ? "" : $" (at most {RecordCounts.MaxRejectedShare * 100:0}% and {RecordCounts.MaxRejected}: the report stays complete)"));
        // Frames that carry no IP are ordinary; cut or malformed ones are part of the capture the audit could not read.
        if (report.Packets.Undecoded > 0 || report.Packets.Dropped > 0) Line(writer, $"packets: {PacketText.Describe(report.Packets)}");
        if (TriageText.Baseline(report) is { } baseline) Line(writer, $"baseline: {baseline}");
        if (TriageText.Suppressions(report.Triage) is { } suppressions) Line(writer, $"suppressions: {suppressions}");
        foreach (var entry in report.Triage.Expired) Line(writer, $"  expired suppression {TriageText.Expired(entry)}");
        foreach (var f in report.Findings.Take(worst))
        {
            string label = TriageText.Label(report.Triage, f);
            Line(writer, $"  {f.Severity.Name(),-6} {f.Kind.Name(),-17} {f.ClientHost} -> {f.ServerHost} {f.Service}" +
                             (f.Rule is null ? "" : $" [{f.Rule}]") + (f.Tally.Flows > 0 ? $" ({f.Tally.Flows} flows)" : "") +
                             (label.Length > 0 ? $" {{{label}}}" : ""));
            // Why it was raised, what would explain it and an anomaly's score, each on a line of its own under the finding:
            // a protocol mismatch or an RPC interface is told by its reason, not by its kind and port.
            foreach (string? why in new[] { FindingText.Reason(f), f.Explanation, FindingText.Anomaly(f) })
                if (why is not null) Line(writer, $"         {why}");
        }
        if (report.Findings.Count > worst)
            Line(writer, $"  ... {report.Findings.Count - worst} more");
        Line(writer, $"reports: {Path.Combine(outputDirectory, "report.html")}, report.md, report.json, findings.csv, flows.jsonl");
    }
}
