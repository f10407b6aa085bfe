using PortAudit.Report.Text;
using PortAudit.Catalog;
namespace PortAudit.Report.Catalogs;

/// <summary>
/// Lists rules for people. Conditions go on a line of their own because they vary most in length; over-long ids and
/// role names are cut, since the JSON output carries every field in full.
/// </summary>
public static class RuleTableWriter
{
    /// <summary>Writes a header, one or two lines per rule and a count, laid out by <paramref name="tables"/>.</summary>
    public static void Write(TextWriter output, IReadOnlyList<Rule> rules, ListingRenderer tables) => tables(Listing(rules), output);

    /// <summary>A row per rule, its conditions as the row's note, then the count.</summary>
    public static TextListing Listing(IReadOnlyList<Rule> rules)
    {
        // The widths keep the five columns within a 120-column terminal.
        var table = new TableRows(
            new TableColumn("ID", 36), new TableColumn("FROM", 22), new TableColumn("TO", 22), new TableColumn("PORTS", 18), new TableColumn("PROTOCOL", 14));
        foreach (var rule in rules)
        {
            string when = RuleText.When(rule);
            table.AddWithNote(when == "-" ? null : $"when: {when}", rule.Id, rule.From.ToString(), rule.To.ToString(), RuleText.Ports(rule), rule.Protocol);
        }
        return new TextListing([], table, [$"{rules.Count} rule(s)"]);
    }
}
