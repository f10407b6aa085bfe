namespace PortAudit.Catalog.Reports;

/// <summary>
/// Writes rules as aligned plain text that fits a 120-column terminal. Conditions go on an
/// indented second line because they vary most in length; over-long ids and role names are cut
/// with "~", since the JSON output carries every field in full.
/// </summary>
public static class RuleTableWriter
{
    private static readonly (string Title, int Max)[] Columns =
        [("ID", 36), ("FROM", 22), ("TO", 22), ("PORTS", 18), ("PROTOCOL", 14)];

    /// <summary>Writes a header line, one or two lines per rule and a count.</summary>
    public static void Write(TextWriter output, IReadOnlyList<Rule> rules)
    {
        var rows = rules.Select(r => new[] { r.Id, r.From, r.To, RuleText.Ports(r), r.Protocol }).ToList();
        var widths = Columns
            .Select((c, i) => Math.Min(c.Max, Math.Max(c.Title.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())))
            .ToArray();
        WriteRow(output, Columns.Select(c => c.Title).ToArray(), widths);
        for (int i = 0; i < rules.Count; i++)
        {
            WriteRow(output, rows[i], widths);
            if (RuleText.When(rules[i]) is var when && when != "-")
                output.WriteLine($"    when: {when}");
        }
        output.WriteLine($"{rules.Count} rule(s)");
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var line = string.Join("  ", cells.Select((cell, i) => Fit(cell, widths[i]).PadRight(widths[i])));
        output.WriteLine(line.TrimEnd());
    }

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "~";
}
