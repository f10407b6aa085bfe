using PortAudit.Sources.Records;

namespace PortAudit.Report.Plot;

/// <summary>
/// Draws a <see cref="Heatmap"/>: row labels on the left, column labels slanted above, one coloured cell per pair
/// showing its value, linked to its section where the cell has a link.
/// </summary>
internal static class HeatmapRenderer
{
    private const double CellWidth = 56;
    private const double CellHeight = 30;
    private const int RowChars = 24;
    private const int ColumnChars = 22;
    private const double ColumnAngle = -40;
    private const double MarginRight = 24;

    /// <summary>Wide enough for the verdict legend to take two rows rather than four on a small matrix.</summary>
    private const double MinWidth = 640;

    public static string Render(Heatmap chart)
    {
        var colors = new ColorAssigner();
        var entries = LegendKeys.Entries(chart.Cells.Select(c => c.Key), colors);
        int rowChars = Math.Min(RowChars, chart.RowLabels.Select(l => l.Length).DefaultIfEmpty(4).Max());
        int columnChars = Math.Min(ColumnChars, chart.ColumnLabels.Select(l => l.Length).DefaultIfEmpty(4).Max());
        double left = 34 + rowChars * ChartStyle.CharWidth + 10;
        double slant = columnChars * ChartStyle.CharWidth * Math.Sin(-ColumnAngle * Math.PI / 180);
        double top = ChartStyle.TitleHeight + 22 + slant + 12;
        var area = new PlotArea(left, top, Math.Max(1, chart.ColumnLabels.Count) * CellWidth, Math.Max(1, chart.RowLabels.Count) * CellHeight);
        // The slanted last column label reaches right of the grid by about its own width times cos(angle).
        double width = Math.Max(area.Right + MarginRight + slant, MinWidth);
        var legend = new Legend(entries, width - 24, chart.KeyTitle + ":");
        double height = area.Bottom + 16 + legend.Height + 10;

        var svg = new SvgBuilder();
        ChartFrame.Begin(svg, width, height, chart.Title, "heatmap");
        if (chart.RowLabels.Count == 0 || chart.ColumnLabels.Count == 0) ChartFrame.NoData(svg, area);
        else DrawMatrix(svg, area, chart, colors);
        legend.Draw(svg, 12, area.Bottom + 16);
        return svg.End().ToString();
    }

    private static void DrawMatrix(SvgBuilder svg, PlotArea area, Heatmap chart, ColorAssigner colors)
    {
        Label.Draw(svg, area.Left, ChartStyle.TitleHeight + 14, chart.ColumnTitle, (int)Math.Max(12, area.Width / ChartStyle.CharWidth),
            cssClass: "axis-title", fontSize: ChartStyle.FontSize);
        Label.Draw(svg, 16, area.CenterY, chart.RowTitle, (int)Math.Max(12, area.Height / ChartStyle.CharWidth), "middle", rotate: -90, cssClass: "axis-title");

        var columns = DistinctLabels.Shorten(chart.ColumnLabels, ColumnChars);
        for (int c = 0; c < chart.ColumnLabels.Count; c++)
            Label.DrawShown(svg, area.Left + (c + 0.5) * CellWidth, area.Top - 6, chart.ColumnLabels[c], columns[c],
                rotate: ColumnAngle, cssClass: "column-label");
        var rows = DistinctLabels.Shorten(chart.RowLabels, RowChars);
        for (int r = 0; r < chart.RowLabels.Count; r++)
            Label.DrawShown(svg, area.Left - 8, area.Top + (r + 0.5) * CellHeight + 4, chart.RowLabels[r], rows[r], "end", cssClass: "row-label");

        DrawEmptyGrid(svg, area, chart.RowLabels.Count, chart.ColumnLabels.Count);
        var rowIndex = Index(chart.RowLabels);
        var columnIndex = Index(chart.ColumnLabels);
        foreach (var cell in chart.Cells)
            DrawCell(svg, area.Left + columnIndex[cell.Column] * CellWidth, area.Top + rowIndex[cell.Row] * CellHeight, cell, chart.Unit, colors);
    }

    /// <summary>
    /// Every pair without traffic, drawn at once: a grey ground with white lines between the cells, the cells with
    /// traffic on top. A rectangle per empty pair made a large estate's matrix (100 by 150 role sets) 15,000
    /// elements of a page that must render in seconds.
    /// </summary>
    private static void DrawEmptyGrid(SvgBuilder svg, PlotArea area, int rows, int columns)
    {
        svg.Start("g").Attr("class", "empty");
        svg.Start("rect").Attr("x", area.Left).Attr("y", area.Top).Attr("width", area.Width).Attr("height", area.Height).Attr("fill", "#f4f4f4").End();
        var lines = new System.Text.StringBuilder();
        for (int r = 0; r <= rows; r++)
            lines.Append('M').Append(SvgBuilder.Number(area.Left)).Append(' ').Append(SvgBuilder.Number(area.Top + r * CellHeight))
                .Append('h').Append(SvgBuilder.Number(area.Width));
        for (int c = 0; c <= columns; c++)
            lines.Append('M').Append(SvgBuilder.Number(area.Left + c * CellWidth)).Append(' ').Append(SvgBuilder.Number(area.Top))
                .Append('v').Append(SvgBuilder.Number(area.Height));
        svg.Start("path").Attr("d", lines.ToString()).Attr("stroke", "#ffffff").Attr("stroke-width", 2).Attr("fill", "none").End();
        svg.End();
    }

    private static Dictionary<string, int> Index(IReadOnlyList<string> labels) =>
        labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i, StringComparer.Ordinal);

    private static void DrawCell(SvgBuilder svg, double x, double y, HeatmapCell cell, ValueUnit unit, ColorAssigner colors)
    {
        string fill = colors.Color(cell.Key);
        if (cell.Href is not null) svg.Start("a").Attr("href", FragmentHref.Require(cell.Href)).Attr("class", "cell-link");
        svg.Start("g").Attr("class", "cell-group");
        svg.Title($"{cell.Row} → {cell.Column}: {cell.Key}, {UnitFormat.Value(cell.Value, unit)}");
        svg.Start("rect").Attr("class", "cell").Attr("x", x + 1).Attr("y", y + 1).Attr("width", CellWidth - 2)
            .Attr("height", CellHeight - 2).Attr("rx", 2).Attr("fill", fill).End();
        svg.Start("text").Attr("class", "cell-value").Attr("x", x + CellWidth / 2).Attr("y", y + CellHeight / 2 + 4)
            .Attr("text-anchor", "middle").Attr("fill", PlotPalette.TextOn(fill)).Text(UnitFormat.Compact(cell.Value)).End();
        svg.End();
        if (cell.Href is not null) svg.End();
    }
}
