using PortAudit.Audit;
using PortAudit.Audit.Triage;

namespace PortAudit.Report.Audits;

/// <summary>The words every report uses for a finding's triage, so that report.md, report.html and the console agree.</summary>
public static class TriageText
{
    /// <summary>"new", "unchanged", "new, suppressed": the status (with a baseline) and whether an entry suppresses it.</summary>
    public static string Label(FindingTriage triage, Finding finding)
    {
        var parts = new List<string>(2);
        if (triage.HasBaseline) parts.Add(triage.StatusOf(finding).Name());
        if (triage.SuppressionOf(finding) is not null) parts.Add("suppressed");
        return string.Join(", ", parts);
    }

    /// <summary>"suppressed by OWNER until DATE (FILE:LINE:COL): JUSTIFICATION".</summary>
    public static string Suppressed(Suppression entry) =>
        $"suppressed by {entry.Owner} until {Date(entry.Expires)} ({entry.Source}): {entry.Justification}";

    /// <summary>"FILE:LINE:COL: expired DATE (OWNER): MATCHERS": an entry that no longer suppresses.</summary>
    public static string Expired(Suppression entry) =>
        $"{entry.Source}: expired {Date(entry.Expires)} ({entry.Owner}): {entry.Describe()}";

    /// <summary>"2 new, 3 unchanged, 1 resolved (baseline FILE)", or null without a baseline.</summary>
    public static string? Baseline(AuditReport report)
    {
        var t = report.Triage;
        if (t.Inputs.Baseline is not { } baseline) return null;
        return $"{t.Count(report.Findings, FindingStatus.New)} new, {t.Count(report.Findings, FindingStatus.Unchanged)} unchanged, " +
               $"{t.Resolved.Count} resolved (baseline {baseline.Source})";
    }

    /// <summary>"2 findings suppressed by 3 entries, 1 expired (FILE)", or null without a suppression file.</summary>
    public static string? Suppressions(FindingTriage triage)
    {
        if (triage.Inputs.Suppressions is not { } entries) return null;
        return $"{triage.SuppressedCount} findings suppressed by {entries.Count} entries, {triage.Expired.Count} expired ({triage.Inputs.SuppressionsName})";
    }

    /// <summary>ISO date.</summary>
    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
