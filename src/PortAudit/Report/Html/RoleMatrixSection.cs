using PortAudit.Audit;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// The role-by-role matrix: flows per pair of role sets, coloured by the worst thing seen between them, each cell a
/// link to the pair's section. A pair with a required-blocked finding shows that rather than its verdicts, since a
/// refused attempt is counted under the verdict of the rule that covers it (often expected).
/// </summary>
internal sealed class RoleMatrixSection(AuditReport report, FindingIndex findings) : IReportSection
{
    public void Render(ReportCanvas canvas)
    {
        var pairs = report.RolePairs;
        canvas.Page.BeginSection("matrix");
        canvas.Page.BeginFold(2, "Traffic between roles", ReportText.Count(pairs.Count, "role pair", "role pairs"));
        if (pairs.Count == 0) canvas.Page.Paragraph("No traffic between inventory roles was audited.");
        else Draw(canvas, pairs);
        canvas.Page.EndFold();
        canvas.Page.EndSection();
    }

    private void Draw(ReportCanvas canvas, IReadOnlyList<RolePairStatistics> pairs)
    {
        var rows = pairs.Select(p => p.ClientRoles).Distinct().Order(StringComparer.Ordinal);
        var columns = pairs.Select(p => p.ServerRoles).Distinct().Order(StringComparer.Ordinal);
        // Pairs past the sections the page holds (the quietest) have no section to link to.
        var cells = pairs.Select((p, i) => new HeatmapCell(p.ClientRoles, p.ServerRoles, p.Flows, WorstKey(p),
            i < RolePairSection.MaxSections ? PairAnchor.Href(p) : null));
        var heatmap = new Heatmap("Flows between role sets, coloured by the worst verdict", "Client roles", "Server roles",
            rows, columns, cells, ValueUnit.Flows, "Worst verdict");
        canvas.Figure(PlotNames.RoleMatrix, heatmap, "Each cell counts the flows from the row's roles to the column's roles; click a cell for that pair's section.");
    }

    private string WorstKey(RolePairStatistics pair)
    {
        if (findings.Of(pair).Any(f => f.Kind == FindingKind.RequiredBlocked))
            return FindingKind.RequiredBlocked.Name();
        // The palette ranks verdicts mildest first, the same order readers learn from every legend.
        return VerdictNames.All.Where(v => pair.Count(v) > 0).Select(v => v.Name()).MaxBy(PlotPalette.VerdictRank) ?? Verdict.Expected.Name();
    }
}
