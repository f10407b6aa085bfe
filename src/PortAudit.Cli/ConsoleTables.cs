using PortAudit.Report.Text;
using Spectre.Console;
using Spectre.Console.Rendering;
using Column = PortAudit.Report.Text.TableColumn;

namespace PortAudit.Cli;

/// <summary>
/// Lays out every listing's table for the console (<c>flows --format table</c>, <c>diff</c>, <c>catalog</c>,
/// <c>rpc</c>, <c>interfaces</c>) with Spectre.Console: no border, two spaces between columns, no colour and no
/// escape sequences, so that the same text reads on a terminal and parses in a script.
/// </summary>
public static class ConsoleTables
{
    /// <summary>
    /// The width a redirected listing is laid out to: wide enough that no real row is wrapped or cut, so a script sees
    /// one line per row whatever the console it runs under. Not int.MaxValue, which Spectre adds to.
    /// </summary>
    private const int Unbounded = 1 << 20;

    /// <summary>
    /// The renderer for a listing written to standard output (<paramref name="toStandardOutput"/>) or elsewhere: the
    /// terminal's width when standard output is one, unbounded otherwise.
    /// </summary>
    public static ListingRenderer For(bool toStandardOutput)
    {
        int width = toStandardOutput && !Console.IsOutputRedirected && Console.WindowWidth > 0 ? Console.WindowWidth : Unbounded;
        return (listing, output) => Write(listing, output, width);
    }

    /// <summary>Writes <paramref name="listing"/> to <paramref name="output"/>, the table fitted to <paramref name="width"/> columns.</summary>
    public static void Write(TextListing listing, TextWriter output, int width)
    {
        // Lines around the table carry file names and sources: outside text, shown with its controls escaped.
        foreach (string line in listing.Before) output.WriteLine(OutsideText.Terminal(line));
        if (listing.Table is { } rows) WriteTable(rows, output, width);
        foreach (string line in listing.After) output.WriteLine(OutsideText.Terminal(line));
    }

    private static void WriteTable(TableRows rows, TextWriter output, int width)
    {
        var laidOut = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(laidOut),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Write(Table(rows));
        // Spectre pads every cell, the last too; lines end at their last character, so that diffs and scripts see no
        // trailing blanks.
        foreach (string line in laidOut.ToString().Split('\n'))
            if (line.TrimEnd() is { Length: > 0 } trimmed) output.WriteLine(trimmed);
    }

    private static Table Table(TableRows rows)
    {
        var table = new Table { Border = TableBorder.None };
        var columns = rows.Columns;
        for (int i = 0; i < columns.Count; i++)
        {
            // Two spaces after every column but the last, none before: the columns start where the line does.
            table.AddColumn(new Spectre.Console.TableColumn(Cell(columns[i].Title))
            {
                Alignment = columns[i].AlignRight ? Justify.Right : Justify.Left,
                Padding = new Padding(0, 0, i == columns.Count - 1 ? 0 : 2, 0),
            });
        }
        foreach (var row in rows.Rows)
        {
            table.AddRow(row.Cells.Select((text, i) => Cell(Fit(text, columns[i]))));
            // Spectre 0.49 cannot span columns: the note is a row of its own, its text in the first cell and the rest
            // empty, indented so it reads as belonging to the row above.
            if (row.Note is { } note)
                table.AddRow(columns.Select((_, i) => i == 0 ? new Padder(Cell(note), new Padding(4, 0, 0, 0)) : Cell("")));
        }
        // Left to size itself, the first column would grow to the longest note and push every row as far right (a
        // 120-column rule listing became 170). Held to its cells' width, a long note wraps under its row instead.
        if (rows.Rows.Any(r => r.Note is not null))
            table.Columns[0].Width = rows.Rows.Select(r => Fit(r.Cells[0], columns[0]).Length).Append(columns[0].Title.Length).Max();
        return table;
    }

    // Cells carry outside text (host names, SNI, file names): controls are escaped, so that a terminal neither acts on
    // them nor misaligns the columns, and a Text cell is never read as markup, so "[red]" in a packet stays text.
    private static IRenderable Cell(string text) => new Text(OutsideText.Terminal(text));

    // Cut with '~', plain ASCII, rather than Spectre's ellipsis: the machine formats carry the cell whole.
    private static string Fit(string text, Column column) =>
        text.Length <= column.MaxWidth ? text : text[..(column.MaxWidth - 1)] + "~";
}
