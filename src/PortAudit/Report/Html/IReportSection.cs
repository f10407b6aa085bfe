namespace PortAudit.Report.Html;

/// <summary>One part of the HTML report, drawn in page order.</summary>
internal interface IReportSection
{
    void Render(ReportCanvas canvas);
}
