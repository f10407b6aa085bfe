namespace PortAudit.Report.Plot;

/// <summary>A tick: where it sits along its axis, in pixels, and its label.</summary>
internal readonly record struct Tick(double Position, string Label);

/// <summary>Draws axes with their ticks, gridlines and titles around a <see cref="PlotArea"/>.</summary>
internal static class AxisPainter
{
    private const double TickLength = 5;

    /// <summary>Ticks for a value axis, scaled by the unit's multiple.</summary>
    public static IReadOnlyList<Tick> ValueTicks(NiceAxis axis, LinearScale scale, UnitFormat unit) =>
        axis.Ticks.Select(t => new Tick(scale.Map(t * unit.Divisor), UnitFormat.Tick(t, axis.Step))).ToArray();

    /// <summary>A horizontal axis along the bottom, with vertical gridlines; no tick label reaches past 0 or <paramref name="width"/>.</summary>
    public static void Bottom(SvgBuilder svg, PlotArea area, IReadOnlyList<Tick> ticks, string title, double width = ChartStyle.Width)
    {
        svg.Start("g").Attr("class", "axis axis-x").Attr("font-size", ChartStyle.SmallFontSize);
        foreach (var tick in ticks)
        {
            Line(svg, tick.Position, area.Top, tick.Position, area.Bottom, ChartStyle.GridColor, "grid");
            Line(svg, tick.Position, area.Bottom, tick.Position, area.Bottom + TickLength, ChartStyle.AxisColor, "tick");
            svg.Start("text").Attr("x", tick.Position).Attr("y", area.Bottom + TickLength + 13)
                .Attr("text-anchor", Anchor(tick, width)).Attr("class", "tick-label").Text(tick.Label).End();
        }
        Line(svg, area.Left, area.Bottom, area.Right, area.Bottom, ChartStyle.AxisColor, "domain");
        Label.Draw(svg, area.CenterX, area.Bottom + 40, title, (int)(area.Width / ChartStyle.CharWidth), "middle", cssClass: "axis-title", fontSize: ChartStyle.FontSize);
        svg.End();
    }

    /// <summary>A vertical axis along the left, with horizontal gridlines.</summary>
    public static void Left(SvgBuilder svg, PlotArea area, IReadOnlyList<Tick> ticks, string title)
    {
        svg.Start("g").Attr("class", "axis axis-y").Attr("font-size", ChartStyle.SmallFontSize);
        foreach (var tick in ticks)
        {
            Line(svg, area.Left, tick.Position, area.Right, tick.Position, ChartStyle.GridColor, "grid");
            Line(svg, area.Left - TickLength, tick.Position, area.Left, tick.Position, ChartStyle.AxisColor, "tick");
            svg.Start("text").Attr("x", area.Left - TickLength - 3).Attr("y", tick.Position + 4)
                .Attr("text-anchor", "end").Attr("class", "tick-label").Text(tick.Label).End();
        }
        Line(svg, area.Left, area.Top, area.Left, area.Bottom, ChartStyle.AxisColor, "domain");
        Label.Draw(svg, 16, area.CenterY, title, (int)(area.Height / ChartStyle.CharWidth), "middle", rotate: -90, cssClass: "axis-title");
        svg.End();
    }

    /// <summary>
    /// Centred under its tick, unless that would cut it at an edge of the chart: a tick at the right end (a date and
    /// time label is wider than the margin) is then anchored by its end, one at the left end by its start.
    /// </summary>
    private static string Anchor(Tick tick, double width)
    {
        double half = ChartStyle.TextWidth(tick.Label, ChartStyle.SmallFontSize) / 2;
        return tick.Position + half > width ? "end" : tick.Position - half < 0 ? "start" : "middle";
    }

    private static void Line(SvgBuilder svg, double x1, double y1, double x2, double y2, string color, string cssClass) =>
        svg.Start("line").Attr("x1", x1).Attr("y1", y1).Attr("x2", x2).Attr("y2", y2)
            .Attr("stroke", color).Attr("class", cssClass).End();
}
