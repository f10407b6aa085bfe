using System.Buffers.Binary;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

[Trait(Tier.Name, Tier.Browser)]
public sealed class ChromiumPlotTests : IDisposable
{
    private const string PageTitle = "PortAudit plots";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "portaudit-chromium-" + Guid.NewGuid().ToString("N"));

    public ChromiumPlotTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A page with every chart kind, hostile labels included, as the report will embed them.</summary>
    internal static string SamplePage()
    {
        var renderer = PlotSamples.Renderer;
        var page = new HtmlDocument(PageTitle)
            .Heading(1, PageTitle, "top")
            .Paragraph("Hostile label: " + PlotSamples.ImgLabel)
            .Figure(renderer.Render(PlotSamples.RoleMatrix()), "Role matrix")
            .Figure(renderer.Render(PlotSamples.BytesByVerdict()), "Bytes by verdict (stacked)")
            .Figure(renderer.Render(PlotSamples.FlowsByRule()), "Flows by rule (lines)")
            .Figure(renderer.Render(PlotSamples.BytesByPort()), "Bytes per port")
            .Table(["host", "label"], [["10.0.0.1", PlotSamples.ScriptLabel], ["10.0.0.2", PlotSamples.CdataLabel]]);
        foreach (string role in PlotSamples.Roles.Take(2))
            page.Heading(2, "Pair " + role, FragmentHref.AnchorId("pair", role, PlotSamples.Roles[0]));
        return page.ToHtml();
    }

    private string WritePage()
    {
        string path = Path.Combine(_dir, "plots.html");
        File.WriteAllText(path, SamplePage());
        return path;
    }

    [ChromiumFact]
    public void Screenshot_of_every_chart_kind_is_a_real_picture()
    {
        string png = Path.Combine(_dir, "plots.png");
        HeadlessChromium.Screenshot(WritePage(), png, _dir);

        Assert.True(File.Exists(png), "no screenshot written");
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(1600, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        // A blank or single-colour 1200×1600 page compresses to a few KB; charts with text do not.
        Assert.True(bytes.Length > 60_000, $"screenshot only {bytes.Length} bytes: page probably blank");
        string? keep = Environment.GetEnvironmentVariable("PORTAUDIT_PLOT_SCREENSHOT");
        if (!string.IsNullOrEmpty(keep)) File.Copy(png, keep, overwrite: true);
    }

    [ChromiumFact]
    public void Hostile_labels_show_literally_and_nothing_they_carry_runs()
    {
        string dom = HeadlessChromium.DumpDom(WritePage(), _dir);

        // The page's own script ran (so scripts were enabled) ...
        Assert.Contains("data-script=\"ready\"", dom);
        // ... but neither the <script> nor the onerror handler carried by labels changed the title.
        Assert.Contains($"<title>{PageTitle}</title>", dom);
        Assert.DoesNotContain("pwned", System.Text.RegularExpressions.Regex.Match(dom, "<title>[^<]*</title>").Value);
        Assert.DoesNotContain("<img", dom);
        Assert.Contains(MarkupEscaper.Text(PlotSamples.ScriptLabel), dom);
        Assert.Contains(MarkupEscaper.Text(PlotSamples.ImgLabel), dom);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(dom, "<script>"));
        Assert.Equal(PlotSamples.RoleMatrix().Cells.Count, System.Text.RegularExpressions.Regex.Count(dom, "<a href=\"#pair--"));
    }
}
