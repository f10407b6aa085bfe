using PortAudit.Report.Json;
using PortAudit.Catalog;
using System.Text.Json;

namespace PortAudit.Report.Catalogs;

/// <summary>
/// Writes rules as a JSON array with the field names of the rule files (camelCase, transport as
/// a keyword, ports as strings, source as an object) so that scripts see what authors write.
/// </summary>
public static class RuleJsonWriter
{
    /// <summary>Writes the array followed by a newline.</summary>
    public static void Write(TextWriter output, IEnumerable<Rule> rules)
    {
        JsonOutput.Write(output, json => JsonSerializer.Serialize(json, rules.Select(RuleDocument.Of).ToArray(), JsonOutput.Serializer));
    }

    // A side is written as the rule file writes it: one role as a string, several as a list.
    private sealed record RuleDocument(
        string Id, string Product, object From, object To, string Transport, string[] Ports, string Protocol,
        bool Required, IReadOnlyList<string> Conditions, IReadOnlyList<string> Unless, string? OneOf, double? EverySeconds, bool DynamicRange,
        string Notes, RuleSource Source)
    {
        public static RuleDocument Of(Rule r) => new(
            r.Id, r.Product, Side(r.From), Side(r.To), r.TransportName, r.Ports.Select(p => p.ToString()).ToArray(), r.Protocol,
            r.Required, r.Conditions, r.Unless, r.OneOf, r.Every?.TotalSeconds, r.DynamicRange, r.Notes, r.Source);

        private static object Side(RuleSide side) => side.Selectors.Count == 1 ? side.Selectors[0] : side.Selectors.ToArray();
    }
}
