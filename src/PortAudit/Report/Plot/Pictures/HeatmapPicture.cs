namespace PortAudit.Report.Plot;

/// <summary>
/// Builds the picture of a <see cref="Heatmap"/>: row labels on the left, column labels below, one cell per pair in
/// its key's colour with its value; a picture has no links, the page's matrix does.
/// </summary>
internal static class HeatmapPicture
{
    private const int RowChars = 24, ColumnChars = 22, RowHeight = 34, ColumnWidth = 64, Frame = 300;

    /// <summary>Slant of the column labels, and the rough advance of one character of them in pixels.</summary>
    private const double ColumnAngle = -30, CharWidth = 8;

    public static Picture Build(Heatmap chart)
    {
        var plot = PictureStyle.Begin(chart.Title);
        var colors = new ColorAssigner();
        var keys = LegendKeys.Order(chart.Cells.Select(c => c.Key));
        if (chart.RowLabels.Count == 0 || chart.ColumnLabels.Count == 0) PictureStyle.NoData(plot);
        else Draw(plot, chart, colors);
        PictureStyle.Legend(plot, keys, colors, chart.KeyTitle + ":");
        // Cells keep a readable size on a large estate's matrix: the picture grows instead.
        return new Picture(plot, Math.Max(PictureStyle.Width, Frame + chart.ColumnLabels.Count * ColumnWidth),
            PictureStyle.Height(chart.RowLabels.Count, RowHeight, Frame));
    }

    private static void Draw(ScottPlot.Plot plot, Heatmap chart, ColorAssigner colors)
    {
        int rows = chart.RowLabels.Count, columns = chart.ColumnLabels.Count;
        // Row r from the top sits at y = rows - 1 - r; column c at x = c.
        var empty = plot.Add.Rectangle(-0.5, columns - 0.5, -0.5, rows - 0.5);
        empty.FillColor = PictureStyle.Color("#f4f4f4");
        empty.LineWidth = 0;
        var rowIndex = chart.RowLabels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i, StringComparer.Ordinal);
        var columnIndex = chart.ColumnLabels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i, StringComparer.Ordinal);
        foreach (var cell in chart.Cells)
        {
            double x = columnIndex[cell.Column], y = rows - 1 - rowIndex[cell.Row];
            string fill = colors.Color(cell.Key);
            var rect = plot.Add.Rectangle(x - 0.47, x + 0.47, y - 0.45, y + 0.45);
            rect.FillColor = PictureStyle.Color(fill);
            rect.LineWidth = 0;
            var value = plot.Add.Text(UnitFormat.Compact(cell.Value), x, y);
            value.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
            value.LabelFontColor = PictureStyle.Color(PlotPalette.TextOn(fill));
            value.LabelFontSize = 14;
        }
        PictureStyle.Ticks(plot.Axes.Left, Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r)).ToArray(),
            DistinctLabels.Shorten(chart.RowLabels, RowChars));
        var columnLabels = DistinctLabels.Shorten(chart.ColumnLabels, ColumnChars);
        PictureStyle.Ticks(plot.Axes.Bottom, Enumerable.Range(0, columns).Select(c => (double)c).ToArray(), columnLabels);
        // Slanted, each ending at its column, and the axis made tall enough for the longest so that the axis title
        // stays below them (the library sizes an axis by unrotated labels).
        plot.Axes.Bottom.TickLabelStyle.Rotation = (float)ColumnAngle;
        plot.Axes.Bottom.TickLabelStyle.OffsetY = 6;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = (float)(columnLabels.Max(l => l.Length) * CharWidth * Math.Sin(-ColumnAngle * Math.PI / 180) + 40);
        plot.Axes.Left.Label.Text = PictureStyle.Text(chart.RowTitle);
        plot.Axes.Bottom.Label.Text = PictureStyle.Text(chart.ColumnTitle);
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Grid.IsVisible = false;
    }
}
