using PortAudit.Audit;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// report.html: one self-contained page for the people who act on an audit (the verdict, the role matrix, a section
/// per role pair with plots, coverage and findings), plus the same plots as standalone SVG for <c>--plots DIR</c>.
/// </summary>
public sealed class HtmlReport
{
    /// <summary>The report's file name in the output directory.</summary>
    public const string FileName = "report.html";

    private HtmlReport(string html, IReadOnlyList<ReportPlot> plots)
    {
        Html = html;
        Plots = plots;
    }

    /// <summary>The whole page.</summary>
    public string Html { get; }

    /// <summary>Every plot on the page, in page order.</summary>
    public IReadOnlyList<ReportPlot> Plots { get; }

    /// <summary>Lays out <paramref name="report"/>; <paramref name="renderer"/> draws the plots (the built-in SVG renderer by default).</summary>
    public static HtmlReport Build(AuditReport report, AuditInputs run, IPlotRenderer? renderer = null)
    {
        var canvas = new ReportCanvas(new HtmlDocument("PortAudit report: " + string.Join(", ", run.Captures.Select(Path.GetFileName))),
            renderer ?? new SvgPlotRenderer());
        var rules = run.Context.Catalog.Rules.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First());
        var hostLabels = run.Context.Inventory.Hosts.GroupBy(h => h.Name).ToDictionary(g => g.Key, g => string.Join('+', g.First().Roles));
        var findings = new FindingsTable(rules, report.Triage);
        var coverage = new PairCoverageTable(report.Coverage, hostLabels);
        IEnumerable<IReportSection> sections =
        [
            new OverviewSection(report, run),
            new RoleMatrixSection(report),
            .. report.RolePairs.Select(pair => new RolePairSection(report, pair, coverage, findings)),
            new UnpairedFindingsSection(report, findings),
        ];
        foreach (var section in sections) section.Render(canvas);
        return new HtmlReport(canvas.Page.ToHtml(), canvas.Plots);
    }

    /// <summary>Writes the page, UTF-8, to <paramref name="output"/>.</summary>
    public void Write(Stream output)
    {
        using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(Html);
    }

    /// <summary>Writes every plot as its own .svg into <paramref name="directory"/> (created if needed); returns the paths.</summary>
    public IReadOnlyList<string> WritePlots(string directory) => Plots.Select(p => PlotFiles.Write(directory, p.Name, p.Svg)).ToList();
}
