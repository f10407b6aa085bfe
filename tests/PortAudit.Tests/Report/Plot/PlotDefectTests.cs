using System.Globalization;
using System.Xml.Linq;
using PortAudit.Report.Html;
using PortAudit.Report.Plot;

namespace PortAudit.Tests.Report.Plot;

/// <summary>
/// The plot defects of issue 14: bin widths labelled "per 112 d 0 h", the last time-axis label cut at the chart's
/// edge, matrix columns and legend entries cut to the same text.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class PlotDefectTests
{
    private const long Ms = 1_000_000, S = 1000 * Ms, Min = 60 * S, H = 60 * Min, Day = 24 * H;

    [Theory]
    [InlineData(10 * Ms, "10 ms")]
    [InlineData(S, "1 s")]
    [InlineData(30 * S, "30 s")]
    [InlineData(Min, "1 min")]
    [InlineData(5 * Min, "5 min")]
    [InlineData(H, "1 h")]
    [InlineData(6 * H, "6 h")]
    [InlineData(Day, "1 d")]
    [InlineData(7 * Day, "1 week")]
    [InlineData(112 * Day, "16 weeks")]
    public void Bin_widths_read_as_round_human_units(long width, string expected) =>
        Assert.Equal(expected, ReportText.BinWidth(width));

    [Theory]
    [InlineData(5 * Min + 3 * S, "5 min 3 s")]
    [InlineData(2 * H, "2 h")]
    [InlineData(3 * Day + 4 * H, "3 d 4 h")]
    [InlineData(112 * Day, "112 d")]
    public void Durations_leave_out_a_zero_second_part(long span, string expected) =>
        Assert.Equal(expected, ReportText.Duration(span));

    [Fact]
    public void The_last_time_axis_label_stays_inside_the_chart()
    {
        // Two seconds in 100 ms bins: ticks every 500 ms, labelled "HH:mm:ss.fff", wider than the right margin, the last at the axis end.
        var chart = new TimeSeriesChart("flows", ValueUnit.Flows,
            [new TimeSeries("expected", Enumerable.Range(0, 21).Select(i => new TimePoint(PlotSamples.Start.AddMilliseconds(100 * i), i)))]);
        var svg = PlotSamples.Parse(PlotSamples.Renderer.Render(chart));
        double width = double.Parse((string)svg.Attribute("width")!, CultureInfo.InvariantCulture);

        var labels = svg.WithClass("axis-x").Single().WithClass("tick-label").ToArray();
        Assert.Equal("12:00:02.000", labels[^1].Value);
        Assert.All(labels, label =>
        {
            double x = double.Parse((string)label.Attribute("x")!, CultureInfo.InvariantCulture);
            double extent = label.Value.Length * ChartStyle.CharWidth * ChartStyle.SmallFontSize / ChartStyle.FontSize;
            (double left, double right) = (string)label.Attribute("text-anchor")! switch
            {
                "end" => (x - extent, x),
                "start" => (x, x + extent),
                _ => (x - extent / 2, x + extent / 2),
            };
            Assert.True(left >= 0 && right <= width, $"'{label.Value}' spans {left:0}..{right:0} of {width}");
        });
        Assert.Equal("end", (string)labels[^1].Attribute("text-anchor")!);
    }

    [Fact]
    public void Matrix_columns_that_share_a_long_prefix_stay_distinct()
    {
        string[] columns = ["domain-controller+global-catalog+dns-server", "domain-controller+global-catalog+dhcp-server", "sip-server"];
        var heatmap = new Heatmap("m", "client", "server", ["workstation"], columns,
            columns.Select(c => new HeatmapCell("workstation", c, 1, "expected")));
        var svg = PlotSamples.Parse(PlotSamples.Renderer.Render(heatmap));

        var shown = svg.WithClass("column-label").Select(l => l.Shown()).ToArray();
        Assert.Equal(3, shown.Distinct().Count());
        Assert.Equal("sip-server", shown[2]);
        // Cut in the middle: the reader still sees where each name starts and ends; the tooltip has it whole.
        Assert.StartsWith("domain-con", shown[0]);
        Assert.EndsWith("dns-server", shown[0]);
        Assert.Equal(columns[0], svg.WithClass("column-label").First().Element(PlotSamples.Ns + "title")!.Value);
    }

    [Fact]
    public void Legend_entries_that_share_a_long_prefix_stay_distinct()
    {
        string[] rules = ["lync-front-end-to-sql-backend-mirroring-tcp", "lync-front-end-to-sql-backend-mirroring-udp"];
        var chart = new TimeSeriesChart("flows", ValueUnit.Flows,
            rules.Select(r => new TimeSeries(r, [new TimePoint(PlotSamples.Start, 1)])), TimeSeriesLayout.Stacked);
        var svg = PlotSamples.Parse(PlotSamples.Renderer.Render(chart));

        var shown = svg.WithClass("legend-label").Select(l => l.Shown()).ToArray();
        Assert.Equal(2, shown.Distinct().Count());
        Assert.All(shown, s => Assert.True(s.Length <= 32, s));
    }

    [Fact]
    public void Labels_alike_at_both_ends_are_numbered()
    {
        string head = new('a', 20), tail = new('z', 20);
        string[] texts = [head + "1" + tail, head + "2" + tail, "short"];

        var shown = DistinctLabels.Shorten(texts, 16);

        Assert.Equal(3, shown.Distinct().Count());
        Assert.EndsWith("(1)", shown[0]);
        Assert.EndsWith("(2)", shown[1]);
        Assert.Equal("short", shown[2]);
        Assert.All(shown, s => Assert.True(s.Length <= 16, s));
    }
}
