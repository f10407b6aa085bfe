using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>One role pair's section: its traffic plots, the coverage of its rules and its findings.</summary>
internal sealed class RolePairSection(AuditReport report, RolePairStatistics pair, PairCoverageTable coverage, FindingsTable findings)
    : IReportSection
{
    public void Render(ReportCanvas canvas)
    {
        var page = canvas.Page;
        page.BeginSection(PairAnchor.Id(pair));
        page.Heading(2, $"{pair.ClientRoles} → {pair.ServerRoles}");
        page.Paragraph($"{ReportText.Count(pair.Flows, "flow", "flows")}, {ReportText.Count(pair.Bytes, "byte", "bytes")}: " +
                       string.Join(", ", VerdictNames.All.Where(v => pair.Count(v) > 0).Select(v => $"{pair.Count(v)} {v.Name()}")) + ".");
        new PairTrafficCharts(pair).Render(canvas);
        page.Heading(3, "Coverage of the pair's rules");
        coverage.Render(canvas, pair);
        page.Heading(3, "Findings");
        findings.Render(canvas, PairAnchor.Findings(report, pair).ToList());
        page.Link("Back to the matrix", "#matrix");
        page.EndSection();
    }
}
