
namespace PortAudit.Report.Text;

/// <summary>One column of a <see cref="TextTable"/>.</summary>
/// <param name="Title">The header.</param>
/// <param name="MaxWidth">Cells longer than this are cut, ending in '~' (machine formats carry them whole).</param>
/// <param name="AlignRight">Right-aligned, for counts.</param>
public sealed record TextColumn(string Title, int MaxWidth = int.MaxValue, bool AlignRight = false);

/// <summary>
/// Aligned plain-text columns for people, the one table layout every listing shares (flows, rules, mappings,
/// interfaces): two spaces between columns, the last column never padded, no trailing blanks. Rows are kept until
/// <see cref="Write"/> to size the columns, so it is for reading, not for millions of rows.
/// </summary>
public sealed class TextTable
{
    private readonly TextColumn[] _columns;
    private readonly List<(string[] Cells, string? Note)> _rows = new();

    /// <summary>A table with these columns.</summary>
    public TextTable(params TextColumn[] columns) => _columns = columns;

    /// <summary>A table whose columns are plain titles.</summary>
    public TextTable(params string[] titles) : this(titles.Select(t => new TextColumn(t)).ToArray()) { }

    /// <summary>Rows added so far.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row; <paramref name="cells"/> has one text per column.</summary>
    public void Add(params string[] cells) => AddWithNote(null, cells);

    /// <summary>
    /// Adds a row followed by an indented line of its own (what varies too much to fit a column); control and bidi
    /// characters are shown as escapes (<see cref="OutsideText.Terminal"/>).
    /// </summary>
    public void AddWithNote(string? note, params string[] cells)
    {
        if (cells.Length != _columns.Length)
            throw new ArgumentException($"expected {_columns.Length} cells, got {cells.Length}", nameof(cells));
        // Cells and notes carry outside text (host names, SNI, file names): shown with controls escaped, so that a
        // terminal neither acts on them nor misaligns the columns.
        _rows.Add((Array.ConvertAll(cells, OutsideText.Terminal), note is null ? null : OutsideText.Terminal(note)));
    }

    /// <summary>Writes the header and every row.</summary>
    public void Write(TextWriter writer)
    {
        var widths = new int[_columns.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            int widest = _columns[i].Title.Length;
            foreach (var (cells, _) in _rows) widest = Math.Max(widest, cells[i].Length);
            widths[i] = Math.Min(widest, _columns[i].MaxWidth);
        }
        WriteRow(writer, _columns.Select(c => c.Title).ToArray(), widths);
        foreach (var (cells, note) in _rows)
        {
            WriteRow(writer, cells, widths);
            if (note is not null) writer.WriteLine("    " + note);
        }
    }

    private void WriteRow(TextWriter writer, string[] cells, int[] widths)
    {
        var line = new System.Text.StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            string cell = Fit(cells[i], widths[i]);
            bool last = i == cells.Length - 1;
            line.Append(_columns[i].AlignRight ? cell.PadLeft(widths[i]) : last ? cell : cell.PadRight(widths[i]));
            if (!last) line.Append("  ");
        }
        writer.WriteLine(line.ToString().TrimEnd());
    }

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "~";
}
