using System.Xml.Linq;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

[Trait(Tier.Name, Tier.Unit)]
public class HostileLabelTests
{
    private static readonly SvgPlotRenderer Renderer = PlotSamples.Renderer;

    private static void AssertInert(XElement svg)
    {
        Assert.DoesNotContain(svg.DescendantsAndSelf(), e => e.Name.LocalName is "script" or "img" or "foreignObject" or "x" or "b");
        Assert.DoesNotContain(svg.DescendantsAndSelf().Attributes(), a => a.Name.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        Assert.All(svg.Descendants().Attributes().Where(a => a.Name.LocalName == "href"), a => Assert.StartsWith("#", a.Value));
        Assert.Null(SvgSafety.Problem(svg.ToString()));
    }

    /// <summary>Every text a label may end up in: the shown text or, where shortened, its tooltip.</summary>
    private static IEnumerable<string> Texts(XElement svg) =>
        svg.Descendants().Where(e => e.Name.LocalName is "text" or "title").SelectMany(e => new[] { e.Shown(), e.Value });

    public static TheoryData<string> Labels => new(PlotSamples.Hostile);

    [Theory]
    [MemberData(nameof(Labels))]
    public void Hostile_series_names_and_titles_are_text_in_every_chart(string hostile)
    {
        var t0 = PlotSamples.Start;
        string[] svgs =
        [
            Renderer.Render(new TimeSeriesChart(hostile, ValueUnit.Bytes, [new TimeSeries(hostile, [new TimePoint(t0, 1), new TimePoint(t0.AddSeconds(9), 2)])], valueTitle: hostile)),
            Renderer.Render(new BarChart(hostile, ValueUnit.Bytes, [new BarCategory(hostile, [new BarSegment(hostile, 3)])])),
            Renderer.Render(new Heatmap(hostile, hostile, hostile, [hostile], [hostile], [new HeatmapCell(hostile, hostile, 1, hostile, FragmentHref.To("pair", hostile, hostile))], keyTitle: hostile)),
        ];
        foreach (string text in svgs)
        {
            var svg = PlotSamples.Parse(text);
            AssertInert(svg);
            Assert.Equal(hostile, svg.Element(PlotSamples.Ns + "title")!.Value);
            Assert.Contains(hostile, Texts(svg));
        }
    }

    [Fact]
    public void Control_characters_in_labels_do_not_break_the_document()
    {
        string label = "SIP From: \u0000\u0007evil\u001B[31m\uD800";
        string text = Renderer.Render(new BarChart("t", ValueUnit.Bytes, [new BarCategory(label, [new BarSegment("expected", 3)])]));
        var svg = PlotSamples.Parse(text);

        Assert.Contains(MarkupEscaper.Clean(label), Texts(svg));
        AssertInert(svg);
    }

    [Fact]
    public void The_sample_charts_with_hostile_labels_are_inert()
    {
        AssertInert(PlotSamples.Parse(Renderer.Render(PlotSamples.FlowsByRule())));
        AssertInert(PlotSamples.Parse(Renderer.Render(PlotSamples.BytesByPort())));
        AssertInert(PlotSamples.Parse(Renderer.Render(PlotSamples.RoleMatrix())));
    }

    [Theory]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "<script>")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect onload=\"alert(1)\"/></svg>", "event handler")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"javascript:alert(1)\"/></svg>", "leaves the page")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect fill=\"url(https://x/y.svg#p)\"/></svg>", "url()")]
    [InlineData("<div/>", "not <svg>")]
    [InlineData("<svg><rect></svg>", "well-formed")]
    public void Svg_from_another_renderer_is_checked_before_use(string svg, string problem)
    {
        Assert.Contains(problem, SvgSafety.Problem(svg));
        Assert.Throws<ArgumentException>(() => new HtmlDocument("t").Figure(svg));
    }
}
