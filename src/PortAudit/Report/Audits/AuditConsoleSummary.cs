using PortAudit.Report.Text;
using PortAudit.Audit;
namespace PortAudit.Report.Audits;

/// <summary>The few lines a person reads in the terminal after an audit.</summary>
public static class AuditConsoleSummary
{
    /// <summary>
    /// Verdict counts, finding counts, the baseline and suppressions when given (each expired entry named), and the worst
    /// findings, then where the reports are.
    /// </summary>
    public static void Write(TextWriter writer, AuditReport report, string outputDirectory, int worst = 5)
    {
        var s = report.Summary;
        writer.WriteLine($"audit: {s.Flows} flows: " +
                         string.Join(", ", s.Verdicts.Where(v => v.Value > 0).Select(v => $"{v.Value} {v.Key.Name()}")));
        writer.WriteLine($"findings: " + string.Join(", ", s.Findings.Select(f => $"{f.Value} {f.Key.Name()}")));
        writer.WriteLine($"coverage: {s.Coverage.Seen}/{s.Coverage.Instances} rule instances seen, " +
                         $"{s.Coverage.Failed} failed, {s.Coverage.RequiredNeverSeen} required never seen");
        if (TriageText.Baseline(report) is { } baseline) writer.WriteLine($"baseline: {baseline}");
        if (TriageText.Suppressions(report.Triage) is { } suppressions) writer.WriteLine($"suppressions: {suppressions}");
        foreach (var entry in report.Triage.Expired) writer.WriteLine($"  expired suppression {TriageText.Expired(entry)}");
        foreach (var f in report.Findings.Take(worst))
        {
            string label = TriageText.Label(report.Triage, f);
            writer.WriteLine($"  {f.Severity.Name(),-6} {f.Kind.Name(),-17} {f.ClientHost} -> {f.ServerHost} {f.Ports}/{f.Transport}" +
                             (f.Rule is null ? "" : $" [{f.Rule}]") + (f.Tally.Flows > 0 ? $" ({f.Tally.Flows} flows)" : "") +
                             (label.Length > 0 ? $" {{{label}}}" : ""));
        }
        if (report.Findings.Count > worst)
            writer.WriteLine($"  ... {report.Findings.Count - worst} more");
        writer.WriteLine($"reports: {Path.Combine(outputDirectory, "report.html")}, report.md, report.json, flows.jsonl");
    }
}
