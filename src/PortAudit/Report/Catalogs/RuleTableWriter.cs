using PortAudit.Report.Text;
using PortAudit.Catalog;
namespace PortAudit.Report.Catalogs;

/// <summary>
/// Writes rules as aligned plain text that fits a 120-column terminal. Conditions go on an
/// indented second line because they vary most in length; over-long ids and role names are cut
/// with "~", since the JSON output carries every field in full.
/// </summary>
public static class RuleTableWriter
{
    /// <summary>Writes a header line, one or two lines per rule and a count.</summary>
    public static void Write(TextWriter output, IReadOnlyList<Rule> rules)
    {
        var table = new TextTable(
            new TextColumn("ID", 36), new TextColumn("FROM", 22), new TextColumn("TO", 22), new TextColumn("PORTS", 18), new TextColumn("PROTOCOL", 14));
        foreach (var rule in rules)
        {
            string when = RuleText.When(rule);
            table.AddWithNote(when == "-" ? null : $"when: {when}", rule.Id, rule.From.ToString(), rule.To.ToString(), RuleText.Ports(rule), rule.Protocol);
        }
        table.Write(output);
        output.WriteLine($"{rules.Count} rule(s)");
    }
}
