using ScottPlot;

namespace PortAudit.Report.Plot;

/// <summary>
/// What every picture shares, so that the pictures of a report look alike and like the page's plots: sizes, text
/// sizes, the palette's colours, axes ticked where the page ticks them, the legend of colour keys below the data.
/// </summary>
internal static class PictureStyle
{
    /// <summary>Width of every picture, and the least height: large enough to read at a wiki's or ticket's width.</summary>
    public const int Width = 1000, MinHeight = 500;

    private const float TitleSize = 20, AxisTitleSize = 16, TickSize = 14, LegendSize = 14;

    /// <summary>A plot titled <paramref name="title"/>, with the report's text sizes.</summary>
    public static ScottPlot.Plot Begin(string title)
    {
        _ = PlotFont.Current;
        var plot = new ScottPlot.Plot();
        plot.Title(Text(title), TitleSize);
        plot.Axes.Left.Label.FontSize = AxisTitleSize;
        plot.Axes.Bottom.Label.FontSize = AxisTitleSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Legend.FontSize = LegendSize;
        return plot;
    }

    /// <summary>
    /// Outside text (role, rule and port names) as drawn: characters XML cannot carry become U+FFFD and bidi controls
    /// show as text, as on the page, so that the SVG stays well-formed and a label cannot reorder its neighbours.
    /// </summary>
    public static string Text(string outside) => MarkupEscaper.Clean(outside);

    public static Color Color(string hex) => ScottPlot.Color.FromHex(hex);

    /// <summary>Ticks at <paramref name="positions"/> with these labels, replacing the library's own.</summary>
    public static void Ticks(IAxis axis, IReadOnlyList<double> positions, IReadOnlyList<string> labels)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < positions.Count; i++) ticks.AddMajor(positions[i], Text(labels[i]));
        axis.TickGenerator = ticks;
    }

    /// <summary>A value axis from <paramref name="min"/> to <paramref name="max"/> (undivided), ticked as the page ticks it; returns the divisor to plot values with.</summary>
    public static double ValueAxis(IAxis axis, ValueUnit valueUnit, string? title, double min, double max)
    {
        var unit = UnitFormat.For(valueUnit, Math.Max(Math.Abs(min), Math.Abs(max)));
        var nice = NiceTicks.Compute(min / unit.Divisor, max / unit.Divisor, 8, unit.Integral);
        Ticks(axis, nice.Ticks.ToArray(), nice.Ticks.Select(t => UnitFormat.Tick(t, nice.Step)).ToArray());
        axis.Min = nice.Min;
        axis.Max = nice.Max;
        axis.Label.Text = Text(unit.AxisTitle(title));
        return unit.Divisor;
    }

    /// <summary>
    /// The colour keys below the data, in legend order, each with a swatch, or with a stroke in its colour and dash
    /// when the data are <paramref name="lines"/>; a heading first when given.
    /// </summary>
    public static void Legend(ScottPlot.Plot plot, IEnumerable<string> keys, ColorAssigner colors, string? heading = null, bool lines = false)
    {
        var items = plot.Legend.ManualItems;
        foreach (string key in keys)
            items.Add(lines
                ? new LegendItem { LabelText = Text(key), LineColor = Color(colors.Color(key)), LineWidth = 2, LinePattern = Pattern(colors.Dash(key)) }
                : new LegendItem { LabelText = Text(key), FillColor = Color(colors.Color(key)) });
        if (items.Count == 0) return;
        plot.ShowLegend(Edge.Bottom);
        if (heading is not null) plot.Legend.ManualItems.Insert(0, new LegendItem { LabelText = Text(heading) });
    }

    /// <summary>"No data" in the middle of an empty plot, as the page says it.</summary>
    public static void NoData(ScottPlot.Plot plot)
    {
        var text = plot.Add.Annotation("No data", Alignment.MiddleCenter);
        text.LabelFontSize = AxisTitleSize;
    }

    /// <summary>A height that gives each of <paramref name="rows"/> rows <paramref name="rowHeight"/> pixels beside <paramref name="frame"/> for title, axes and legend.</summary>
    public static int Height(int rows, int rowHeight, int frame) => Math.Max(MinHeight, frame + rows * rowHeight);

    /// <summary>The page's dash patterns (<see cref="ColorAssigner.Dash"/>) as the library's.</summary>
    public static LinePattern Pattern(string? dash) => dash switch
    {
        null => LinePattern.Solid,
        "2 2" => LinePattern.Dotted,
        _ => LinePattern.Dashed,
    };
}
