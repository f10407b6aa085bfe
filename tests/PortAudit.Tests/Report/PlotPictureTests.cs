using System.Text.RegularExpressions;
using System.Xml.Linq;
using PortAudit.Tests.Sources.Live;
using PortAudit.Tests.Report.Plot;

namespace PortAudit.Tests.Report;

/// <summary><c>portaudit audit --plots DIR</c> on the lab sample: the pictures it draws and report.md's links to them.</summary>
[Trait(Tier.Name, Tier.Cli)]
public partial class PlotPictureTests
{
    private static ReportAudit Lab(string plots) => new(SharedData.InRepository("captures/lab.pcapng"), SharedData.InRepository("captures/lab.yaml"),
        SharedData.InRepository("rules"), exitCode: 1, $"--plots \"{plots}\"");

    [Fact]
    public void Plots_are_readable_pngs_and_svg_documents()
    {
        using var plots = new TempDirectory();
        using var audit = Lab(plots.Root);

        var pngs = Directory.GetFiles(plots.Root, "*.png");
        // The matrix, then three per pair: flows over time by verdict and by rule, bytes per port.
        Assert.Equal(1 + 3 * PageStructure.SvgsPerSection(audit.Html).Keys.Count(id => id.StartsWith("pair--", StringComparison.Ordinal)), pngs.Length);
        Assert.All(pngs, PngHeader.AssertReadable);
        foreach (string png in pngs)
            Assert.Equal("svg", XDocument.Load(Path.ChangeExtension(png, ".svg")).Root!.Name.LocalName);
    }

    [Fact]
    public void Report_md_links_each_png_by_a_path_relative_to_itself()
    {
        // Outside the output directory, with a space: the link climbs out of it and is percent-encoded.
        using var temporary = new TempDirectory();
        string plots = temporary.File("pic tures");
        using var audit = Lab(plots);
        string markdown = File.ReadAllText(Path.Combine(audit.OutDir, "report.md"));

        var links = Image().Matches(markdown).Select(m => m.Groups["href"].Value).ToList();
        var pngs = Directory.GetFiles(plots, "*.png");
        Assert.Equal(pngs.Length, links.Count);
        Assert.All(links, href => Assert.Matches(@"^(\.\./)+[^/]+/pic%20tures/plot--[a-z0-9-]+\.png$", href));
        var linked = links.Select(href => Path.GetFullPath(Path.Combine(audit.OutDir, Uri.UnescapeDataString(href)))).ToList();
        Assert.All(linked, f => Assert.True(File.Exists(f), $"{f} is linked but missing"));
        Assert.Equal(pngs.Order(), linked.Order());
        Assert.Contains("## Plots", markdown);
        Assert.Contains("### workstation+lync-client → lync-front-end", markdown);
    }

    [Fact]
    public void Report_md_has_no_plots_without_the_option()
    {
        using var audit = new ReportAudit(SharedData.InRepository("captures/lab.pcapng"), SharedData.InRepository("captures/lab.yaml"),
            SharedData.InRepository("rules"), exitCode: 1);

        Assert.DoesNotContain("## Plots", File.ReadAllText(Path.Combine(audit.OutDir, "report.md")));
    }

    [GeneratedRegex(@"^!\[[^\]]*\]\((?<href>[^)]+)\)$", RegexOptions.Multiline)]
    private static partial Regex Image();
}
