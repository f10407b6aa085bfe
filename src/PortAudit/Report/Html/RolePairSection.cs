using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>
/// One role pair's section, folded under a line with its counts: its traffic plot, the coverage of its rules and its
/// findings with their evidence.
/// </summary>
internal sealed class RolePairSection(RolePairStatistics pair, PairCoverageTable coverage, FindingsTable findingsTable, FindingIndex findings)
    : IReportSection
{
    /// <summary>Pairs given a section, busiest first; the rest are in the matrix and report.json.</summary>
    public const int MaxSections = 40;

    public void Render(ReportCanvas canvas)
    {
        var page = canvas.Page;
        var own = findings.Of(pair).ToList();
        page.BeginSection(PairAnchor.Id(pair));
        page.BeginFold(2, FindingGroups.PairLabel(pair.ClientRoles, pair.ServerRoles),
            $"{ReportText.Count(pair.Flows, "flow", "flows")}, {ReportText.Count(own.Count, "finding", "findings")}{Worst(own)}");
        page.Paragraph($"{ReportText.Count(pair.Flows, "flow", "flows")}, {ReportText.Count(pair.Bytes, "byte", "bytes")}: " +
                       string.Join(", ", VerdictNames.All.Where(v => pair.Count(v) > 0).Select(v => $"{pair.Count(v)} {v.Name()}")) + ".");
        new PairTrafficCharts(pair).Render(canvas);
        page.Heading(3, "Coverage of the pair's rules");
        coverage.Render(canvas, pair);
        page.Heading(3, "Findings");
        findingsTable.Render(canvas, own);
        page.Link("Back to the findings", "#findings");
        page.EndFold();
        page.EndSection();
    }

    /// <summary>" (worst: high)", so that a folded pair says whether it needs opening.</summary>
    private static string Worst(List<Finding> own) => own.Count == 0 ? "" : $" (worst: {own[0].Severity.Name()})";
}
