namespace PortAudit.Report.Plot;

/// <summary>Draws a <see cref="BarChart"/>: one horizontal bar per category, segments stacked left to right.</summary>
internal static class BarChartRenderer
{
    private const double Band = 26;
    private const double BarHeight = 18;
    private const int LabelChars = 28;
    private const double MarginRight = 90;
    private const double AxisBelow = 52;

    public static string Render(BarChart chart)
    {
        var colors = new ColorAssigner();
        var legend = new Legend(LegendKeys.Entries(chart.Categories.SelectMany(c => c.Segments).Select(s => s.Key), colors),
            ChartStyle.Width - 24);
        int longest = chart.Categories.Select(c => c.Label.Length).DefaultIfEmpty(0).Max();
        double left = Math.Max(60, Math.Min(LabelChars, longest) * ChartStyle.CharWidth + 18);
        double top = ChartStyle.TitleHeight + 8;
        var area = new PlotArea(left, top, ChartStyle.Width - left - MarginRight, Math.Max(1, chart.Categories.Count) * Band);
        double height = area.Bottom + AxisBelow + legend.Height + 10;

        var svg = new SvgBuilder();
        ChartFrame.Begin(svg, ChartStyle.Width, height, chart.Title, "bar");
        if (chart.Categories.Count == 0) ChartFrame.NoData(svg, area);
        else DrawBars(svg, area, chart, colors);
        legend.Draw(svg, 12, area.Bottom + AxisBelow + 4);
        return svg.End().ToString();
    }

    private static void DrawBars(SvgBuilder svg, PlotArea area, BarChart chart, ColorAssigner colors)
    {
        double max = chart.Categories.Max(c => c.Total);
        var unit = UnitFormat.For(chart.Unit, max);
        var axis = NiceTicks.Compute(0, max / unit.Divisor, (int)(area.Width / 80), unit.Integral);
        var x = new LinearScale(axis.Min * unit.Divisor, axis.Max * unit.Divisor, area.Left, area.Right);
        AxisPainter.Bottom(svg, area, AxisPainter.ValueTicks(axis, x, unit), unit.AxisTitle(chart.ValueTitle));

        var labels = DistinctLabels.Shorten(chart.Categories.Select(c => c.Label).ToArray(), LabelChars);
        for (int i = 0; i < chart.Categories.Count; i++)
        {
            var category = chart.Categories[i];
            double yTop = area.Top + i * Band + (Band - BarHeight) / 2;
            svg.Start("g").Attr("class", "category");
            Label.DrawShown(svg, area.Left - 8, yTop + BarHeight / 2 + 4, category.Label, labels[i], "end", cssClass: "category-label");
            double start = 0;
            foreach (var segment in category.Segments)
            {
                double x0 = x.Map(start), x1 = x.Map(start + segment.Value);
                start += segment.Value;
                svg.Start("rect").Attr("class", "bar").Attr("x", x0).Attr("y", yTop).Attr("width", Math.Max(0, x1 - x0))
                    .Attr("height", BarHeight).Attr("fill", colors.Color(segment.Key))
                    .Title($"{category.Label} · {segment.Key}: {UnitFormat.Value(segment.Value, chart.Unit)}").End();
            }
            svg.Start("text").Attr("class", "bar-total").Attr("x", x.Map(start) + 6).Attr("y", yTop + BarHeight / 2 + 4)
                .Attr("font-size", ChartStyle.SmallFontSize).Attr("fill", ChartStyle.MutedTextColor)
                .Text(UnitFormat.Value(start, chart.Unit)).End();
            svg.End();
        }
    }
}
