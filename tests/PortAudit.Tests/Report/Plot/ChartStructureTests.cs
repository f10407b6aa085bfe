using System.Globalization;
using System.Xml.Linq;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

[Trait(Tier.Name, Tier.Unit)]
public class ChartStructureTests
{
    private static readonly SvgPlotRenderer Renderer = PlotSamples.Renderer;

    private static IReadOnlyList<string> LegendLabels(XElement svg) =>
        svg.WithClass("legend-label").Select(e => e.Element(PlotSamples.Ns + "title")?.Value ?? e.Shown()).ToArray();

    private static IEnumerable<double> TickValues(XElement svg, string axis) =>
        svg.WithClass(axis).Single().WithClass("tick-label").Select(t => double.Parse(t.Value.Replace(",", ""), CultureInfo.InvariantCulture));

    [Fact]
    public void Stacked_time_series_has_one_band_per_series_a_legend_and_nice_value_ticks()
    {
        var chart = PlotSamples.BytesByVerdict();
        var svg = PlotSamples.Parse(Renderer.Render(chart));

        var paths = svg.WithClass("series-path").ToArray();
        Assert.Equal(4, paths.Length);
        Assert.All(paths, p => Assert.EndsWith("Z", (string)p.Attribute("d")!));
        Assert.Equal(chart.Series.Select(s => s.Name), LegendLabels(svg));
        Assert.Equal("Bytes per minute (MiB)", svg.WithClass("axis-y").Single().WithClass("axis-title").Single().Value);
        var ticks = TickValues(svg, "axis-y").ToArray();
        double step = ticks[1] - ticks[0];
        Assert.Contains(Math.Round(step, 6), new[] { 0.5, 1, 2, 5 });
        Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.Equal(step, pair.Second - pair.First, 6));
    }

    [Fact]
    public void Verdicts_get_their_fixed_colours_in_every_chart()
    {
        var series = PlotSamples.Parse(Renderer.Render(PlotSamples.BytesByVerdict()));
        var bars = PlotSamples.Parse(Renderer.Render(PlotSamples.BytesByPort()));

        string Fill(XElement svg, string key) => (string)svg.WithClass("legend-entry")
            .Single(e => e.WithClass("legend-label").Single().Value == key).Elements().First().Attribute("fill")!;
        Assert.Equal(PlotPalette.VerdictColor("unexpected"), Fill(series, "unexpected"));
        Assert.Equal(PlotPalette.VerdictColor("unexpected"), Fill(bars, "unexpected"));
        Assert.Equal(PlotPalette.VerdictColor("expected"), Fill(bars, "expected"));
    }

    [Fact]
    public void Line_chart_draws_open_paths_with_flow_counts_on_whole_ticks()
    {
        var svg = PlotSamples.Parse(Renderer.Render(PlotSamples.FlowsByRule()));

        var paths = svg.WithClass("series-path").ToArray();
        Assert.Equal(3, paths.Length);
        Assert.All(paths, p => Assert.Equal("none", (string?)p.Attribute("fill")));
        Assert.All(TickValues(svg, "axis-y"), t => Assert.Equal(Math.Round(t), t));
        Assert.Equal("Flows", svg.WithClass("axis-y").Single().WithClass("axis-title").Single().Value);
        Assert.StartsWith("Time (UTC, from 2024-05-01 12:00:00)", svg.WithClass("axis-x").Single().WithClass("axis-title").Single().Value);
    }

    [Fact]
    public void Bar_chart_has_one_rect_per_segment_and_labels_per_category()
    {
        var chart = PlotSamples.BytesByPort();
        var svg = PlotSamples.Parse(Renderer.Render(chart));

        Assert.Equal(chart.Categories.Sum(c => c.Segments.Count), svg.WithClass("bar").Count());
        Assert.Equal(chart.Categories.Count, svg.WithClass("category-label").Count());
        Assert.Equal(["expected", "expected-dynamic-rpc", "protocol-mismatch", "unmapped", "unexpected"], LegendLabels(svg));
        Assert.Equal("Bytes (MiB)", svg.WithClass("axis-x").Single().WithClass("axis-title").Single().Value);
        Assert.Equal(0, TickValues(svg, "axis-x").First());
    }

    [Fact]
    public void Long_category_labels_are_shortened_with_the_full_text_as_tooltip()
    {
        string label = "tcp/49152-65535 dynamic rpc " + new string('x', 60);
        var chart = new BarChart("t", ValueUnit.Packets, [new BarCategory(label, [new BarSegment("expected", 10)])]);
        var text = PlotSamples.Parse(Renderer.Render(chart)).WithClass("category-label").Single();

        Assert.Equal(label, text.Element(PlotSamples.Ns + "title")!.Value);
        Assert.EndsWith("…", text.Shown());
        Assert.True(text.Shown().Length <= 28);
    }

    [Fact]
    public void Heatmap_has_a_cell_per_pair_linked_to_its_section_and_a_verdict_legend()
    {
        var chart = PlotSamples.RoleMatrix();
        var svg = PlotSamples.Parse(Renderer.Render(chart));

        Assert.Equal(chart.Cells.Count, svg.WithClass("cell").Count());
        // Pairs without traffic are one grey ground under the cells, not an element each.
        Assert.Single(svg.WithClass("empty"));
        var links = svg.Descendants(PlotSamples.Ns + "a").Select(a => (string)a.Attribute("href")!).ToArray();
        Assert.Equal(chart.Cells.Select(c => c.Href), links);
        Assert.All(links, l => Assert.StartsWith("#pair--", l));
        Assert.Equal(chart.RowLabels.Count, svg.WithClass("row-label").Count());
        Assert.Equal(chart.ColumnLabels.Count, svg.WithClass("column-label").Count());
        Assert.Equal(PlotPalette.Verdicts.Select(v => v.Key), LegendLabels(svg));
        Assert.Equal("Worst verdict:", svg.WithClass("legend-title").Single().Value);
    }

    [Fact]
    public void Heatmap_cell_text_contrasts_with_its_colour()
    {
        var chart = new Heatmap("t", "r", "c", ["a"], ["b", "c"],
            [new HeatmapCell("a", "b", 5, "required-blocked"), new HeatmapCell("a", "c", 5, "unmapped")]);
        var values = PlotSamples.Parse(Renderer.Render(chart)).WithClass("cell-value").Select(t => (string)t.Attribute("fill")!).ToArray();

        Assert.Equal(["#ffffff", "#000000"], values);
    }

    public static TheoryData<string> EmptyCharts() => new(
        PlotSamples.Renderer.Render(new TimeSeriesChart("empty", ValueUnit.Bytes, [])),
        PlotSamples.Renderer.Render(new TimeSeriesChart("no points", ValueUnit.Flows, [new TimeSeries("s", [])], TimeSeriesLayout.Stacked)),
        PlotSamples.Renderer.Render(new BarChart("empty", ValueUnit.Bytes, [])),
        PlotSamples.Renderer.Render(new Heatmap("empty", "r", "c", [], [], [])));

    [Theory]
    [MemberData(nameof(EmptyCharts))]
    public void Empty_charts_say_no_data_and_contain_no_NaN(string svg)
    {
        var root = PlotSamples.Parse(svg);

        Assert.Equal("No data", root.WithClass("no-data").Single().Value);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
    }

    [Theory]
    [InlineData(TimeSeriesLayout.Lines)]
    [InlineData(TimeSeriesLayout.Stacked)]
    public void A_single_point_is_marked_mid_axis_without_NaN(TimeSeriesLayout layout)
    {
        var chart = new TimeSeriesChart("one", ValueUnit.Packets, [new TimeSeries("only", [new TimePoint(PlotSamples.Start, 0)])], layout);
        string text = Renderer.Render(chart);
        var svg = PlotSamples.Parse(text);

        var marker = svg.WithClass("marker").Single();
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("Infinity", text);
        var domain = svg.WithClass("axis-x").Single().WithClass("domain").Single();
        double left = double.Parse((string)domain.Attribute("x1")!, CultureInfo.InvariantCulture);
        double right = double.Parse((string)domain.Attribute("x2")!, CultureInfo.InvariantCulture);
        Assert.Equal((left + right) / 2, double.Parse((string)marker.Attribute("cx")!, CultureInfo.InvariantCulture), 1);
        Assert.Contains("12:00:00", svg.WithClass("axis-x").Single().WithClass("tick-label").Select(t => t.Value));
    }

    [Theory]
    [InlineData(45, @"^\d\d:\d\d:\d\d$", 5)]
    [InlineData(6 * 3600, @"^\d\d:\d\d$", 7)]
    [InlineData(20 * 86400, @"^\d{4}-\d\d-\d\d$", 3)]
    public void Rendered_time_axes_label_ticks_by_span(int seconds, string labelPattern, int ticks)
    {
        var t0 = PlotSamples.Start;
        var chart = new TimeSeriesChart("span", ValueUnit.Packets,
            [new TimeSeries("s", [new TimePoint(t0, 1), new TimePoint(t0.AddSeconds(seconds), 5)])]);
        var labels = PlotSamples.Parse(Renderer.Render(chart)).WithClass("axis-x").Single().WithClass("tick-label").Select(t => t.Value).ToArray();

        Assert.Equal(ticks, labels.Length);
        Assert.All(labels, l => Assert.Matches(labelPattern, l));
        Assert.Equal(labels.Length, labels.Distinct().Count());
    }

    [Fact]
    public void Bars_of_zero_still_get_an_axis_without_NaN()
    {
        string text = Renderer.Render(new BarChart("zero", ValueUnit.Flows, [new BarCategory("tcp/1", [new BarSegment("expected", 0)])]));
        var svg = PlotSamples.Parse(text);

        Assert.DoesNotContain("NaN", text);
        Assert.Equal("0", (string?)svg.WithClass("bar").Single().Attribute("width"));
        Assert.Equal([0, 1], TickValues(svg, "axis-x"));
    }

    [Fact]
    public void Stacked_bands_sum_series_and_fill_gaps_with_zero()
    {
        var t0 = PlotSamples.Start;
        var chart = new TimeSeriesChart("gaps", ValueUnit.Flows,
        [
            new TimeSeries("a", [new TimePoint(t0, 4), new TimePoint(t0.AddMinutes(2), 4)]),
            new TimeSeries("b", [new TimePoint(t0.AddMinutes(1), 6)]),
        ], TimeSeriesLayout.Stacked);
        var paths = PlotSamples.Parse(Renderer.Render(chart)).WithClass("series-path").Select(p => (string)p.Attribute("d")!).ToArray();

        // Both bands span all three times: 3 points along the top, 3 back along the bottom.
        Assert.All(paths, d => Assert.Equal(6, d.Count(c => c is 'M' or 'L')));
    }

    [Fact]
    public void Output_is_deterministic_and_independent_of_the_current_culture()
    {
        string first = Renderer.Render(PlotSamples.BytesByVerdict());
        var saved = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(first, Renderer.Render(PlotSamples.BytesByVerdict()));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        Assert.Matches("viewBox=\"0 0 800 [0-9.]+\"", first);
    }

    [Fact]
    public void Bad_data_is_refused_where_it_is_built()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimePoint(PlotSamples.Start, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BarSegment("x", -1));
        Assert.Throws<ArgumentException>(() => new Heatmap("t", "r", "c", ["a"], ["b"], [new HeatmapCell("a", "zzz", 1, "expected")]));
        Assert.Throws<ArgumentException>(() => new Heatmap("t", "r", "c", ["a", "a"], ["b"], []));
    }
}
