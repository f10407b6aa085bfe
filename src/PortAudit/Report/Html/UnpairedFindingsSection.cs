namespace PortAudit.Report.Html;

/// <summary>Findings no traffic belongs to (required rules never seen), which no role pair's section can hold.</summary>
internal sealed class UnpairedFindingsSection(FindingIndex findings, FindingsTable table) : IReportSection
{
    public void Render(ReportCanvas canvas)
    {
        canvas.Page.BeginSection("never-seen");
        canvas.Page.BeginFold(2, "Required rules never seen", ReportText.Count(findings.Unpaired.Count, "finding", "findings"));
        table.Render(canvas, findings.Unpaired);
        canvas.Page.EndFold();
        canvas.Page.EndSection();
    }
}
