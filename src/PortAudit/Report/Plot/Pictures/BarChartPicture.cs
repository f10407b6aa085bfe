namespace PortAudit.Report.Plot;

/// <summary>Builds the picture of a <see cref="BarChart"/>: one horizontal bar per category, segments stacked left to right.</summary>
internal static class BarChartPicture
{
    private const int LabelChars = 28, RowHeight = 30, Frame = 220;

    public static Picture Build(BarChart chart)
    {
        var plot = PictureStyle.Begin(chart.Title);
        var colors = new ColorAssigner();
        if (chart.Categories.Count == 0) PictureStyle.NoData(plot);
        else Draw(plot, chart, colors);
        PictureStyle.Legend(plot, LegendKeys.Order(chart.Categories.SelectMany(c => c.Segments).Select(s => s.Key)), colors);
        return new Picture(plot, PictureStyle.Width, PictureStyle.Height(chart.Categories.Count, RowHeight, Frame));
    }

    private static void Draw(ScottPlot.Plot plot, BarChart chart, ColorAssigner colors)
    {
        double divisor = PictureStyle.ValueAxis(plot.Axes.Bottom, chart.Unit, chart.ValueTitle, 0, chart.Categories.Max(c => c.Total));
        var bars = new List<ScottPlot.Bar>();
        // The first category on top, as on the page: positions count down.
        int count = chart.Categories.Count;
        for (int i = 0; i < count; i++)
        {
            double start = 0;
            foreach (var segment in chart.Categories[i].Segments)
            {
                bars.Add(new ScottPlot.Bar
                {
                    Position = count - 1 - i,
                    ValueBase = start / divisor,
                    Value = (start + segment.Value) / divisor,
                    FillColor = PictureStyle.Color(colors.Color(segment.Key)),
                    LineWidth = 0,
                    Size = 0.7,
                });
                start += segment.Value;
            }
        }
        plot.Add.Bars(bars).Horizontal = true;
        var labels = DistinctLabels.Shorten(chart.Categories.Select(c => c.Label).ToArray(), LabelChars);
        PictureStyle.Ticks(plot.Axes.Left, Enumerable.Range(0, count).Select(i => (double)(count - 1 - i)).ToArray(), labels);
        plot.Axes.SetLimitsY(-0.6, count - 0.4);
        plot.Axes.Left.MajorTickStyle.Length = 0;
    }
}
