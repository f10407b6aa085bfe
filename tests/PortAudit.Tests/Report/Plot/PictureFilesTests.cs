using System.Xml.Linq;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

/// <summary>The pictures of <c>--plots DIR</c>, drawn in process from charts shaped like the report's.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class PictureFilesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "portaudit-pictures-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly DateTime T0 = PlotSamples.Start;

    [Fact]
    public void Every_chart_kind_is_a_readable_png_and_an_svg_document()
    {
        var pictures = new PictureFiles(_dir);
        pictures.Write("stacked", PlotSamples.BytesByVerdict());
        pictures.Write("lines", PlotSamples.BytesByVerdict(TimeSeriesLayout.Lines));
        pictures.Write("rules", PlotSamples.FlowsByRule());
        pictures.Write("ports", PlotSamples.BytesByPort());
        pictures.Write("matrix", PlotSamples.RoleMatrix());

        Assert.Equal(10, pictures.Written.Count);
        Assert.Equal(pictures.Written.Order(), Directory.GetFiles(_dir).Order());
        foreach (string png in pictures.Written.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            PngHeader.AssertReadable(png);
            AssertSvgDocument(Path.ChangeExtension(png, ".svg"));
        }
    }

    [Fact]
    public void Hostile_labels_are_text_and_a_hostile_name_stays_in_the_directory()
    {
        var pictures = new PictureFiles(Path.Combine(_dir, "plots"));
        pictures.Write("../../" + PlotSamples.ScriptLabel, PlotSamples.RoleMatrix());
        pictures.Write("controls", new BarChart("\u001b[31mred\u202E " + PlotSamples.ImgLabel, ValueUnit.Bytes,
            [new BarCategory("tcp/443\n" + PlotSamples.CdataLabel, [new BarSegment(PlotSamples.ScriptLabel, 10)])]));

        Assert.All(pictures.Written, f => Assert.Equal(Path.Combine(_dir, "plots"), Path.GetDirectoryName(f)));
        foreach (string svg in pictures.Written.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)))
        {
            var root = AssertSvgDocument(svg);
            Assert.DoesNotContain(root.DescendantsAndSelf(), e => e.Name.LocalName is "script" or "img" or "foreignObject" or "x" or "b");
            Assert.DoesNotContain(root.DescendantsAndSelf().Attributes(), a => a.Name.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void Empty_and_single_point_charts_are_drawn()
    {
        var pictures = new PictureFiles(_dir);
        pictures.Write("empty-time", new TimeSeriesChart("t", ValueUnit.Flows, []));
        pictures.Write("one-point", new TimeSeriesChart("t", ValueUnit.Flows, [new TimeSeries("expected", [new TimePoint(T0, 3)])], TimeSeriesLayout.Lines));
        pictures.Write("empty-bars", new BarChart("b", ValueUnit.Bytes, []));
        pictures.Write("empty-matrix", new Heatmap("h", "r", "c", [], [], []));

        Assert.Equal(8, pictures.Written.Count);
        Assert.All(pictures.Written.Where(f => f.EndsWith(".png", StringComparison.Ordinal)), PngHeader.AssertReadable);
    }

    [Fact]
    public void A_large_matrix_grows_the_picture_rather_than_shrinking_its_cells()
    {
        string[] roles = Enumerable.Range(0, 40).Select(i => $"role-{i:00}").ToArray();
        var cells = roles.Select((r, i) => new HeatmapCell(r, roles[(i * 7) % roles.Length], i + 1, "expected"));
        var pictures = new PictureFiles(_dir);
        pictures.Write("large", new Heatmap("h", "Client", "Server", roles, roles, cells));

        var (width, height) = PngHeader.Size(pictures.Written[0]);
        Assert.True(width >= 40 * 60 && height >= 40 * 30, $"{width}x{height}");
    }

    [Fact]
    public void The_font_is_dejavu_sans_or_another_with_a_warning_and_never_a_failure()
    {
        var preferred = PlotFont.Choose(["DejaVu Serif", "DejaVu Sans", "DejaVu Sans Mono"]);
        Assert.Equal("DejaVu Sans", preferred.Family);
        Assert.Null(preferred.Warning);

        var fallback = PlotFont.Choose(["DejaVu Serif", "Noto Sans Mono", "Liberation Sans"]);
        Assert.Equal("Liberation Sans", fallback.Family);
        Assert.Contains("fonts-dejavu-core", fallback.Warning);

        var anySans = PlotFont.Choose(["Some Serif", "Cantarell Sans Mono", "Cantarell Sans"]);
        Assert.Equal("Cantarell Sans", anySans.Family);

        Assert.Equal("Some Serif", PlotFont.Choose(["Some Serif"]).Family);

        var none = PlotFont.Choose([]);
        Assert.Null(none.Family);
        Assert.Contains("without text", none.Warning);
    }

    private static XElement AssertSvgDocument(string path)
    {
        var doc = XDocument.Load(path);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Null(SvgSafety.Problem(doc.Root.ToString()));
        return doc.Root;
    }
}
