using System.Text;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// report.html: one self-contained page for the people who act on an audit: the verdict, the findings worst first
/// with filters, then folded: what was audited, the role matrix, each firewall's policy against the catalog and the
/// traffic, a section per role pair with plots, coverage and evidence; plus the same plots as pictures for
/// <c>--plots DIR</c>. The page is written section by section to its stream, so it never exists whole in memory.
/// </summary>
public static class HtmlReport
{
    /// <summary>The report's file name in the output directory.</summary>
    public const string FileName = "report.html";

    /// <summary>
    /// Writes the page for <paramref name="report"/>, UTF-8, to <paramref name="output"/>; <paramref name="renderer"/>
    /// draws the page's plots (the built-in SVG renderer by default), and each plot is also drawn into
    /// <paramref name="pictures"/> (under its <see cref="PlotNames">name</see>) when given.
    /// </summary>
    public static void Write(Stream output, AuditReport report, AuditInputs run, PictureFiles? pictures = null,
        IPlotRenderer? renderer = null)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        string incomplete = IncompleteReasonNames.FirstLinePrefix(report.Incomplete);
        string title = incomplete + "PortAudit report: " + ReportScope.Of(run);
        var page = HtmlDocument.Streaming(title, writer);
        var canvas = new ReportCanvas(page, renderer ?? new SvgPlotRenderer(), pictures);
        var rules = run.Context.Catalog.Rules.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First());
        var hostLabels = run.Context.Inventory.Hosts.GroupBy(h => h.Name).ToDictionary(g => g.Key, g => string.Join('+', g.First().Roles));
        var findings = new FindingIndex(report.Findings);
        var evidence = new FindingsTable(rules, report.Triage, run.Provenance);
        var coverage = new PairCoverageTable(report.Coverage, hostLabels);

        page.Heading(1, title);
        page.Paragraph(VerdictSentence.Of(report), lead: true);
        IEnumerable<IReportSection> sections =
        [
            new FindingListSection(findings),
            new OverviewSection(report, run),
            new RoleMatrixSection(report, findings),
            .. report.Firewalls.Select((firewall, i) => new FirewallSection(firewall, i + 1)),
            .. PlotNames.PairsDrawn(report).Select(pair => new RolePairSection(pair, coverage, evidence, findings)),
            new UnpairedFindingsSection(findings, evidence),
        ];
        foreach (var section in sections)
        {
            section.Render(canvas);
            // Each section leaves the writer's buffer for the stream, so what is held is one section at most.
            writer.Flush();
        }
        if (report.RolePairs.Count > RolePairSection.MaxSections)
            page.Paragraph($"{ReportText.Count(report.RolePairs.Count - RolePairSection.MaxSections, "more role pair", "more role pairs")} in report.json.");
        page.Finish();
    }
}
