using PortAudit.Sources.Records;

namespace PortAudit.Report.Plot;

/// <summary>One cell of a <see cref="Heatmap"/>: the traffic from a row to a column.</summary>
public sealed class HeatmapCell
{
    /// <param name="row">Row label; must be one of the heatmap's row labels.</param>
    /// <param name="column">Column label; must be one of the heatmap's column labels.</param>
    /// <param name="value">Number printed in the cell, e.g. the pair's flows.</param>
    /// <param name="key">Colour key, e.g. the pair's worst verdict.</param>
    /// <param name="href">Optional same-page link such as <c>#pair-a--b</c>; anything else is refused.</param>
    /// <exception cref="ArgumentException"><paramref name="href"/> is not a <c>#fragment</c> link.</exception>
    public HeatmapCell(string row, string column, double value, string key, string? href = null)
    {
        Row = row ?? throw new ArgumentNullException(nameof(row));
        Column = column ?? throw new ArgumentNullException(nameof(column));
        Value = Checks.Finite(value, nameof(value));
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Href = href is null ? null : FragmentHref.Require(href, nameof(href));
    }

    /// <summary>Row label.</summary>
    public string Row { get; }

    /// <summary>Column label.</summary>
    public string Column { get; }

    /// <summary>Number printed in the cell.</summary>
    public double Value { get; }

    /// <summary>Colour key.</summary>
    public string Key { get; }

    /// <summary>Same-page link, or null.</summary>
    public string? Href { get; }
}

/// <summary>A matrix of labelled cells coloured by key, e.g. client role × server role by worst verdict.</summary>
public sealed class Heatmap
{
    /// <param name="title">Heading drawn above the matrix.</param>
    /// <param name="rowTitle">What the rows are, e.g. "Client role".</param>
    /// <param name="columnTitle">What the columns are, e.g. "Server role".</param>
    /// <param name="rowLabels">Distinct row labels, top to bottom.</param>
    /// <param name="columnLabels">Distinct column labels, left to right.</param>
    /// <param name="cells">At most one cell per row and column; pairs without a cell are drawn empty.</param>
    /// <param name="unit">What the cell values count.</param>
    /// <param name="keyTitle">Legend heading for the colour keys, e.g. "Worst verdict".</param>
    /// <exception cref="ArgumentException">Duplicate labels, a cell outside the labels, or two cells for one pair.</exception>
    public Heatmap(string title, string rowTitle, string columnTitle, IEnumerable<string> rowLabels,
        IEnumerable<string> columnLabels, IEnumerable<HeatmapCell> cells, ValueUnit unit = ValueUnit.Flows, string keyTitle = "Colour")
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        RowTitle = rowTitle ?? throw new ArgumentNullException(nameof(rowTitle));
        ColumnTitle = columnTitle ?? throw new ArgumentNullException(nameof(columnTitle));
        RowLabels = Distinct(rowLabels, nameof(rowLabels));
        ColumnLabels = Distinct(columnLabels, nameof(columnLabels));
        Cells = Checks.List(cells, nameof(cells));
        Unit = unit;
        KeyTitle = keyTitle ?? throw new ArgumentNullException(nameof(keyTitle));
        var seen = new HashSet<(string, string)>();
        foreach (var cell in Cells)
        {
            if (!RowLabels.Contains(cell.Row) || !ColumnLabels.Contains(cell.Column))
                throw new ArgumentException($"cell '{cell.Row}' × '{cell.Column}' is outside the labels", nameof(cells));
            if (!seen.Add((cell.Row, cell.Column)))
                throw new ArgumentException($"two cells for '{cell.Row}' × '{cell.Column}'", nameof(cells));
        }
    }

    /// <summary>Heading drawn above the matrix.</summary>
    public string Title { get; }

    /// <summary>What the rows are.</summary>
    public string RowTitle { get; }

    /// <summary>What the columns are.</summary>
    public string ColumnTitle { get; }

    /// <summary>Row labels, top to bottom.</summary>
    public IReadOnlyList<string> RowLabels { get; }

    /// <summary>Column labels, left to right.</summary>
    public IReadOnlyList<string> ColumnLabels { get; }

    /// <summary>The cells present.</summary>
    public IReadOnlyList<HeatmapCell> Cells { get; }

    /// <summary>What the cell values count.</summary>
    public ValueUnit Unit { get; }

    /// <summary>Legend heading for the colour keys.</summary>
    public string KeyTitle { get; }

    private static IReadOnlyList<string> Distinct(IEnumerable<string> labels, string name)
    {
        var list = Checks.List(labels, name);
        if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
            throw new ArgumentException("labels must be distinct", name);
        return list;
    }
}
