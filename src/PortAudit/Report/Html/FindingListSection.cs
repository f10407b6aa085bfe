using System.Globalization;
using PortAudit.Audit;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// The findings near the top of the page: their counts by kind and role pair (<see cref="FindingGroupsView"/>), then
/// the list worst first, one line each, with a filter bar by kind, severity and role pair and a search over each row's
/// text; the evidence of each stands in its pair's section. Past <see cref="MaxRows"/> findings the list ends with
/// how many more report.json holds, so the page stays bounded whatever the capture.
/// </summary>
internal sealed class FindingListSection(FindingIndex findings) : IReportSection
{
    /// <summary>
    /// Rows listed; the worst come first, so what is left out is the least urgent. An estate's audit has a few thousand
    /// findings, and the search is only as good as the rows it can reach: 5,000 rows open and search within 3 s in
    /// Chromium (LargeReportTests, FindingSearchTests).
    /// </summary>
    public const int MaxRows = 5000;

    /// <summary>Id of the list's table, which its filter bar names.</summary>
    public const string TableId = "findings-table";

    // Severity, kind and id share a cell, so that the reason has room to read as a line rather than a column of words.
    private static readonly string[] Headers = ["finding", "client → server", "port", "flows (failed)", "role pair", "why", "last seen"];

    public void Render(ReportCanvas canvas)
    {
        var page = canvas.Page;
        page.BeginSection("findings");
        page.Heading(2, "Findings, worst first");
        if (findings.Worst.Count == 0)
        {
            page.Paragraph("No findings.");
            page.EndSection();
            return;
        }
        new FindingGroupsView(findings.Worst).Render(page);
        page.FilterBar(TableId,
        [
            new TableFilter("severity", "Severity", Distinct(f => f.Severity.Name())),
            new TableFilter("kind", "Kind", Distinct(f => f.Kind.Name())),
            new TableFilter("pair", "Role pair", Distinct(FindingGroups.PairLabel)),
        ], search: "Search");
        if (findings.Worst.Count > MaxRows)
            page.Paragraph($"The {MaxRows} worst of {ReportText.Count(findings.Worst.Count, "finding", "findings")}; report.json lists them all.");
        page.Table(Headers, findings.Worst.Select(Row), sortable: true, TableId, MaxRows, "report.json");
        page.EndSection();
    }

    private List<string> Distinct(Func<Finding, string> value) => findings.Worst.Select(value).Distinct(StringComparer.Ordinal).ToList();

    private static TableRow Row(Finding f)
    {
        string severity = f.Severity.Name(), kind = f.Kind.Name(), pair = FindingGroups.PairLabel(f);
        return new TableRow(
        [
            $"{severity} {kind}\n{f.Id}", $"{f.ClientHost}\n→ {f.ServerHost}", f.Service,
            FindingText.FlowsAndFailed(f.Tally, "N0"),
            pair, f.Explanation is null ? f.Reason ?? "" : $"{f.Reason}\n{f.Explanation}", ReportText.Last(f.Tally),
        ], severity, [new("severity", severity), new("kind", kind), new("pair", pair), new("search", SearchText(f, pair))]);
    }

    // What the search box matches, lowercased once here so the page's script compares without converting each row.
    private static string SearchText(Finding f, string pair) =>
        string.Join(' ', new[]
        {
            f.Id, f.Severity.Name(), f.Kind.Name(), ReportText.Host(f.ClientHost, f.ClientRoles), ReportText.Host(f.ServerHost, f.ServerRoles),
            f.Service, pair, f.Rule, f.Reason, f.Explanation,
        }.OfType<string>()).ToLowerInvariant();
}
