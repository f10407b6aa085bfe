using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>
/// The report's conclusion in one sentence, for the reader who reads nothing else: whether anything needs action,
/// how much, and over how much traffic.
/// </summary>
internal static class VerdictSentence
{
    public static string Of(AuditReport report)
    {
        var findings = report.Findings;
        int high = findings.Count(f => f.Severity == Severity.High);
        int medium = findings.Count(f => f.Severity == Severity.Medium);
        int low = findings.Count(f => f.Severity == Severity.Low);
        string traffic = $"{ReportText.Count(report.Summary.Flows, "flow", "flows")} between " +
                         ReportText.Count(report.RolePairs.Count, "role pair", "role pairs");
        if (high > 0)
            return $"Action needed: {ReportText.Count(high, "high-severity finding", "high-severity findings")} " +
                   $"({Kinds(findings, Severity.High)}) and {medium} of medium severity in {traffic}.";
        if (medium > 0)
            return $"Review needed: no high-severity findings, {ReportText.Count(medium, "medium-severity finding", "medium-severity findings")} " +
                   $"({Kinds(findings, Severity.Medium)}) in {traffic}.";
        return low > 0
            ? $"No action needed: only {ReportText.Count(low, "low-severity finding", "low-severity findings")} ({Kinds(findings, Severity.Low)}) in {traffic}."
            : Clean(report, traffic);
    }

    // No finding means no judged flow broke a rule and no required rule the capture could show was missing; it does not
    // mean every required rule was seen: a short capture, or one that never watched two ends talk, shows no absence.
    private static string Clean(AuditReport report, string traffic)
    {
        var coverage = report.Summary.Coverage;
        long ignored = report.Summary.Verdicts.GetValueOrDefault(Verdict.Ignored);
        string flows = ignored == 0
            ? $"every one of the {traffic} is allowed by the catalog"
            : $"of the {traffic}, every one the catalog judged is allowed ({ReportText.Count(ignored, "flow", "flows")} of ignored hosts were not judged)";
        return $"Clean: {flows}, and no required rule the capture could show is missing ({coverage.Seen} of " +
               $"{ReportText.Count(coverage.Instances, "rule instance", "rule instances")} seen" +
               (coverage.AlternativeSeen > 0 ? $", {coverage.AlternativeSeen} covered by an alternative" : "") +
               $", {coverage.NotExercised} not exercised by this capture).";
    }

    private static string Kinds(IReadOnlyList<Finding> findings, Severity severity) =>
        string.Join(", ", findings.Where(f => f.Severity == severity).GroupBy(f => f.Kind).OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} {g.Key.Name()}"));
}
