namespace PortAudit.Report.Text;

/// <summary>One column of a <see cref="TableRows"/>.</summary>
/// <param name="Title">The header.</param>
/// <param name="MaxWidth">Cells longer than this are cut when shown (the machine formats carry them whole).</param>
/// <param name="AlignRight">Right-aligned, for counts.</param>
public sealed record TableColumn(string Title, int MaxWidth = int.MaxValue, bool AlignRight = false);

/// <summary>One row of a <see cref="TableRows"/>.</summary>
/// <param name="Cells">One text per column, as produced: outside text is neutralised by whoever shows it.</param>
/// <param name="Note">A line of its own under the row, for what varies too much to fit a column; null for none.</param>
public sealed record TableRow(IReadOnlyList<string> Cells, string? Note = null);

/// <summary>
/// A table for people as data: columns and rows, no layout. The library produces it; the program that owns the
/// console lays it out (the CLI with Spectre.Console), so that the library carries no terminal code.
/// </summary>
public sealed class TableRows
{
    private readonly List<TableRow> _rows = new();

    /// <summary>A table with these columns.</summary>
    public TableRows(params TableColumn[] columns) => Columns = columns;

    /// <summary>A table whose columns are plain titles.</summary>
    public TableRows(params string[] titles) : this(titles.Select(t => new TableColumn(t)).ToArray()) { }

    /// <summary>The columns, left to right.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The rows added so far, in order.</summary>
    public IReadOnlyList<TableRow> Rows => _rows;

    /// <summary>Adds a row; <paramref name="cells"/> has one text per column.</summary>
    public void Add(params string[] cells) => AddWithNote(null, cells);

    /// <summary>Adds a row followed by <paramref name="note"/> (when not null) on a line of its own.</summary>
    public void AddWithNote(string? note, params string[] cells)
    {
        // A row that does not match the header is a bug in the producer, caught here rather than as a shifted column.
        if (cells.Length != Columns.Count)
            throw new ArgumentException($"expected {Columns.Count} cells, got {cells.Length}", nameof(cells));
        _rows.Add(new TableRow(cells, note));
    }
}

/// <summary>
/// What a listing command shows people: lines of text, then a table (or none), then more lines, e.g. a summary line,
/// the rows, and a count.
/// </summary>
/// <param name="Before">Lines written before the table.</param>
/// <param name="Table">The table; null when there is nothing to tabulate (an empty table reads like a failure).</param>
/// <param name="After">Lines written after the table.</param>
public sealed record TextListing(IReadOnlyList<string> Before, TableRows? Table, IReadOnlyList<string> After)
{
    /// <summary>Just a table.</summary>
    public TextListing(TableRows table) : this([], table, []) { }
}

/// <summary>
/// Writes a <see cref="TextListing"/> to <paramref name="output"/>: how a program lays out tables for its console.
/// The listing writers take one, so that they decide what is shown and the program decides how.
/// </summary>
public delegate void ListingRenderer(TextListing listing, TextWriter output);
