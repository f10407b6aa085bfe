namespace PortAudit.Report.Text;

/// <summary>Writes GitHub-flavoured Markdown tables, escaping what would break a row.</summary>
internal sealed class MarkdownTable
{
    private readonly TextWriter _writer;
    private readonly int _columns;

    public MarkdownTable(TextWriter writer, params string[] headers)
    {
        _writer = writer;
        _columns = headers.Length;
        Row(headers);
        _writer.WriteLine("|" + string.Concat(Enumerable.Repeat(" --- |", headers.Length)));
    }

    public void Row(params object?[] cells)
    {
        if (cells.Length != _columns)
            throw new ArgumentException($"expected {_columns} cells, got {cells.Length}", nameof(cells));
        _writer.WriteLine("| " + string.Join(" | ", cells.Select(Cell)) + " |");
    }

    private static string Cell(object? value) =>
        Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) is { Length: > 0 } text
            ? text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ")
            : "-";
}
