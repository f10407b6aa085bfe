namespace PortAudit.Report.Text;

/// <summary>
/// Writes GitHub-flavoured Markdown tables. Every cell is outside text and goes through
/// <see cref="OutsideText.Markdown"/>, except a <see cref="Markup"/> cell, which the writer built itself.
/// </summary>
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

    /// <summary>A cell written as Markdown (a code span, text already escaped); only what would end the row is escaped.</summary>
    public readonly record struct Markup(string Text);

    public void Row(params object?[] cells)
    {
        if (cells.Length != _columns)
            throw new ArgumentException($"expected {_columns} cells, got {cells.Length}", nameof(cells));
        _writer.WriteLine("| " + string.Join(" | ", cells.Select(Cell)) + " |");
    }

    private static string Cell(object? value) => value switch
    {
        Markup { Text.Length: > 0 } markup => markup.Text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " "),
        Markup => "-",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) is { Length: > 0 } text
            ? OutsideText.Markdown(text)
            : "-",
    };
}
