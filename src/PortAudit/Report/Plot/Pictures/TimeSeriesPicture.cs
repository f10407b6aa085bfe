namespace PortAudit.Report.Plot;

/// <summary>Builds the picture of a <see cref="TimeSeriesChart"/>: stacked bands or lines over the page's time axis.</summary>
internal static class TimeSeriesPicture
{
    public static Picture Build(TimeSeriesChart chart)
    {
        var plot = PictureStyle.Begin(chart.Title);
        var colors = new ColorAssigner();
        var bands = TimeBands.Of(chart);
        if (bands.All(b => b.Points.Length == 0)) PictureStyle.NoData(plot);
        else Draw(plot, chart, bands, colors);
        PictureStyle.Legend(plot, chart.Series.Select(s => s.ColorKey).Distinct(StringComparer.Ordinal), colors,
            lines: chart.Layout == TimeSeriesLayout.Lines);
        // The legend wraps below the data, two long rule names a line.
        return new Picture(plot, PictureStyle.Width, PictureStyle.MinHeight + 24 * ((chart.Series.Count + 1) / 2));
    }

    private static void Draw(ScottPlot.Plot plot, TimeSeriesChart chart, TimeBand[] bands, ColorAssigner colors)
    {
        DateTime first = bands.Where(b => b.Points.Length > 0).Min(b => b.Points[0].Time);
        DateTime last = bands.Where(b => b.Points.Length > 0).Max(b => b.Points[^1].Time);
        double high = bands.SelectMany(b => b.Points).Max(p => p.High), low = bands.SelectMany(b => b.Points).Min(p => p.High);
        // Time as seconds from the axis start: the page's round ticks and labels at their places.
        var time = TimeTicks.Compute(first, last, 8);
        double X(DateTime t) => (t - time.Start).TotalSeconds;
        PictureStyle.Ticks(plot.Axes.Bottom, time.Ticks.Select(X).ToArray(), time.Labels);
        plot.Axes.Bottom.Label.Text = PictureStyle.Text(time.Title);
        plot.Axes.SetLimitsX(0, X(time.End));
        double divisor = PictureStyle.ValueAxis(plot.Axes.Left, chart.Unit, chart.ValueTitle, Math.Min(0, low), Math.Max(0, high));
        bool stacked = chart.Layout == TimeSeriesLayout.Stacked;
        foreach (var band in bands)
        {
            if (band.Points.Length == 0) continue;
            var color = PictureStyle.Color(colors.Color(band.Series.ColorKey));
            double[] xs = band.Points.Select(p => X(p.Time)).ToArray();
            double[] highs = band.Points.Select(p => p.High / divisor).ToArray();
            if (stacked)
            {
                var fill = plot.Add.FillY(xs, band.Points.Select(p => p.Low / divisor).ToArray(), highs);
                fill.FillColor = color.WithAlpha(0.85);
                fill.LineColor = color;
            }
            else
            {
                var line = plot.Add.ScatterLine(xs, highs, color);
                line.LineWidth = 2;
                line.LinePattern = PictureStyle.Pattern(colors.Dash(band.Series.ColorKey));
                // A lone point draws no line: mark it, as the page does.
                if (xs.Length == 1) line.MarkerSize = 8;
            }
        }
    }
}
