using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>Findings no traffic belongs to (required rules never seen), which no role pair's section can hold.</summary>
internal sealed class UnpairedFindingsSection(AuditReport report, FindingsTable findings) : IReportSection
{
    public void Render(ReportCanvas canvas)
    {
        canvas.Page.BeginSection("never-seen");
        canvas.Page.Heading(2, "Required rules never seen");
        findings.Render(canvas, report.Findings.Where(f => f.RolePair is null).ToList());
        canvas.Page.EndSection();
    }
}
