using PortAudit.Catalog;
using PortAudit.Common;
namespace PortAudit.Report.Catalogs;

/// <summary>
/// Answers "why is this port in the catalog": every rule using it with its provenance, then the
/// roles those rules connect.
/// </summary>
public static class PortExplanationWriter
{
    /// <summary>Writes the explanation of <paramref name="query"/>.</summary>
    public static void Write(TextWriter output, RoleCatalog catalog, PortQuery query)
    {
        var rules = catalog.Rules.Where(r => r.UsesPort(query.Port, query.Transport)).ToList();
        output.WriteLine($"{query}: {rules.Count} rule(s)");
        foreach (var rule in rules)
        {
            output.WriteLine();
            output.WriteLine($"{rule.Id}  [{rule.Product}]");
            output.WriteLine($"  {rule.From} -> {rule.To}  {RuleText.Ports(rule)}  {rule.Protocol}  when: {RuleText.When(rule)}");
            output.WriteLine($"  source: {rule.Source.Shown}, section \"{rule.Source.Section}\"");
            output.WriteLine($"  row:    {rule.Source.Row}");
            if (rule.Notes.Length > 0)
                output.WriteLine($"  notes:  {rule.Notes}");
        }
        var roles = rules.SelectMany(r => r.From.Selectors.Concat(r.To.Selectors)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
            return;
        output.WriteLine();
        output.WriteLine("Roles:");
        foreach (var id in roles)
            output.WriteLine($"  {id,-28} {catalog.FindRole(id)?.Description ?? ""}");
    }
}
