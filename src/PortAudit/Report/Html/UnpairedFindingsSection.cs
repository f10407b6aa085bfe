using PortAudit.Audit;

namespace PortAudit.Report.Html;

/// <summary>
/// Findings no traffic belongs to, which no role pair's section can hold: the required rules never seen (missing), and
/// apart from them what the firewalls' own policies say whatever the traffic (a required rule a policy blocks, a rule no
/// catalog rule needs), so that a count under "never seen" is the count of missing findings.
/// </summary>
internal sealed class UnpairedFindingsSection(FindingIndex findings, FindingsTable table) : IReportSection
{
    public void Render(ReportCanvas canvas)
    {
        var missing = findings.Unpaired.Where(f => f.Kind == FindingKind.Missing).ToList();
        var policy = findings.Unpaired.Where(f => f.Kind != FindingKind.Missing).ToList();
        Render(canvas, "never-seen", "Required rules never seen", missing, null);
        if (policy.Count > 0)
            Render(canvas, "policy-findings", "Firewall policy findings", policy,
                "What the firewalls' rules say whatever the traffic: required rules their policy blocks, rules no catalog rule needs.");
    }

    private void Render(ReportCanvas canvas, string id, string heading, IReadOnlyCollection<Finding> listed, string? lead)
    {
        canvas.Page.BeginSection(id);
        canvas.Page.BeginFold(2, heading, ReportText.Count(listed.Count, "finding", "findings"));
        if (lead is not null) canvas.Page.Paragraph(lead);
        table.Render(canvas, listed);
        canvas.Page.EndFold();
        canvas.Page.EndSection();
    }
}
