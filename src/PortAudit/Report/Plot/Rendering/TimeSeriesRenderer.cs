namespace PortAudit.Report.Plot;

/// <summary>Draws a <see cref="TimeSeriesChart"/>: time along the bottom, values up the left, one path per series.</summary>
internal static class TimeSeriesRenderer
{
    private const double PlotHeight = 220;
    private const double MarginLeft = 76;
    private const double MarginRight = 28;
    private const double AxisBelow = 52;

    // Plain loops over the points: LINQ over these value types would be JIT-compiled at every start (docs/performance.md).

    public static string Render(TimeSeriesChart chart)
    {
        var colors = new ColorAssigner();
        bool stacked = chart.Layout == TimeSeriesLayout.Stacked;
        var entries = new LegendEntry[chart.Series.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            var s = chart.Series[i];
            entries[i] = new LegendEntry(s.Name, colors.Color(s.ColorKey), stacked ? null : colors.Dash(s.ColorKey));
        }
        double top = ChartStyle.TitleHeight + 8;
        var area = new PlotArea(MarginLeft, top, ChartStyle.Width - MarginLeft - MarginRight, PlotHeight);
        var legend = new Legend(entries, area.Width + MarginLeft - 12);
        double height = area.Bottom + AxisBelow + legend.Height + 10;

        var svg = new SvgBuilder();
        ChartFrame.Begin(svg, ChartStyle.Width, height, chart.Title, "timeseries");
        var bands = TimeBands.Of(chart);
        if (bands.All(b => b.Points.Length == 0)) ChartFrame.NoData(svg, area);
        else DrawData(svg, area, chart, bands, colors, stacked);
        legend.Draw(svg, 12, area.Bottom + AxisBelow + 4);
        return svg.End().ToString();
    }

    private static void DrawData(SvgBuilder svg, PlotArea area, TimeSeriesChart chart, TimeBand[] bands, ColorAssigner colors, bool stacked)
    {
        DateTime first = DateTime.MaxValue, last = DateTime.MinValue;
        double highest = double.NegativeInfinity, lowest = double.PositiveInfinity;
        foreach (var band in bands)
            foreach (var (time, _, high) in band.Points)
            {
                if (time < first) first = time;
                if (time > last) last = time;
                if (high > highest) highest = high;
                if (high < lowest) lowest = high;
            }
        var timeAxis = TimeTicks.Compute(first, last, (int)(area.Width / 100));
        var x = new LinearScale(timeAxis.Start.Ticks, timeAxis.End.Ticks, area.Left, area.Right);
        double max = Math.Max(0, highest), min = Math.Min(0, lowest);
        var unit = UnitFormat.For(chart.Unit, Math.Max(max, -min));
        var valueAxis = NiceTicks.Compute(min / unit.Divisor, max / unit.Divisor, (int)(area.Height / 40), unit.Integral);
        var y = new LinearScale(valueAxis.Min * unit.Divisor, valueAxis.Max * unit.Divisor, area.Bottom, area.Top);

        AxisPainter.Left(svg, area, AxisPainter.ValueTicks(valueAxis, y, unit), unit.AxisTitle(chart.ValueTitle));
        AxisPainter.Bottom(svg, area,
            timeAxis.Ticks.Select((t, i) => new Tick(x.Map(t.Ticks), timeAxis.Labels[i])).ToArray(), timeAxis.Title);

        foreach (var band in bands)
        {
            string key = band.Series.ColorKey;
            svg.Start("g").Attr("class", "series");
            svg.Title(band.Series.Name);
            svg.Start("path").Attr("class", "series-path").Attr("d", PathData(band, x, y, stacked));
            if (stacked)
                svg.Attr("fill", colors.Color(key)).Attr("fill-opacity", 0.85).Attr("stroke", colors.Color(key)).Attr("stroke-width", 1);
            else
                svg.Attr("fill", "none").Attr("stroke", colors.Color(key)).Attr("stroke-width", 2)
                    .Attr("stroke-linejoin", "round").Attr("stroke-dasharray", colors.Dash(key));
            svg.End();
            // A lone point makes a zero-length path, which draws nothing: mark it.
            if (band.Points.Length == 1)
                svg.Start("circle").Attr("class", "marker").Attr("cx", x.Map(band.Points[0].Time.Ticks))
                    .Attr("cy", y.Map(band.Points[0].High)).Attr("r", 4).Attr("fill", colors.Color(key)).End();
            svg.End();
        }
    }

    private static string PathData(TimeBand band, LinearScale x, LinearScale y, bool stacked)
    {
        if (band.Points.Length == 0) return "M0 0";
        var d = new System.Text.StringBuilder();
        foreach (var p in band.Points)
            d.Append(d.Length == 0 ? 'M' : 'L').Append(SvgBuilder.Number(x.Map(p.Time.Ticks))).Append(' ').Append(SvgBuilder.Number(y.Map(p.High)));
        if (!stacked) return d.ToString();
        for (int i = band.Points.Length - 1; i >= 0; i--)
            d.Append('L').Append(SvgBuilder.Number(x.Map(band.Points[i].Time.Ticks))).Append(' ').Append(SvgBuilder.Number(y.Map(band.Points[i].Low)));
        return d.Append('Z').ToString();
    }
}
