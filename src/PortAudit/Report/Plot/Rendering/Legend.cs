namespace PortAudit.Report.Plot;

/// <summary>One legend line: a swatch in the key's colour and the key's text.</summary>
internal readonly record struct LegendEntry(string Text, string Color, string? Dash = null);

/// <summary>
/// A legend laid out in rows that wrap at the chart's width. Its height is known before drawing, so charts can size
/// their SVG to fit it.
/// </summary>
internal sealed class Legend
{
    private const double RowHeight = 20;
    private const double Swatch = 12;
    private const int MaxChars = 32;
    private readonly IReadOnlyList<LegendEntry> _entries;
    private readonly List<(double X, int Row)> _places = [];
    private readonly string? _title;
    private readonly string[] _shown;

    public Legend(IReadOnlyList<LegendEntry> entries, double width, string? title = null)
    {
        _entries = entries;
        _title = title;
        // A loop: Select over LegendEntry, a value type, is JIT-compiled at every start (docs/performance.md).
        var texts = new string[entries.Count];
        for (int i = 0; i < texts.Length; i++) texts[i] = entries[i].Text;
        _shown = DistinctLabels.Shorten(texts, MaxChars);
        double x = title is null ? 0 : ChartStyle.TextWidth(title) + 12;
        int row = 0;
        foreach (string shown in _shown)
        {
            double entryWidth = Swatch + 6 + ChartStyle.TextWidth(shown) + 18;
            if (x > 0 && x + entryWidth > width) { x = 0; row++; }
            _places.Add((x, row));
            x += entryWidth;
        }
        Rows = entries.Count == 0 ? 0 : row + 1;
    }

    public int Rows { get; }

    public double Height => Rows * RowHeight;

    public void Draw(SvgBuilder svg, double left, double top)
    {
        if (Rows == 0) return;
        svg.Start("g").Attr("class", "legend");
        if (_title is not null)
            Label.Draw(svg, left, top + 14, _title, MaxChars, cssClass: "legend-title");
        for (int i = 0; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            double x = left + _places[i].X;
            double y = top + _places[i].Row * RowHeight;
            svg.Start("g").Attr("class", "legend-entry");
            if (entry.Dash is null)
                svg.Start("rect").Attr("x", x).Attr("y", y + 4).Attr("width", Swatch).Attr("height", Swatch)
                    .Attr("rx", 2).Attr("fill", entry.Color).End();
            else
                svg.Start("line").Attr("x1", x).Attr("y1", y + 10).Attr("x2", x + Swatch).Attr("y2", y + 10)
                    .Attr("stroke", entry.Color).Attr("stroke-width", 3).Attr("stroke-dasharray", entry.Dash).End();
            Label.DrawShown(svg, x + Swatch + 6, y + 14, entry.Text, _shown[i], cssClass: "legend-label");
            svg.End();
        }
        svg.End();
    }
}
