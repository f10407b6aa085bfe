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
        JsonOutput.Write(output, json =>
        {
            json.WriteStartArray();
            foreach (var rule in rules) WriteRule(json, rule);
            json.WriteEndArray();
        });
    }

    // Written field by field rather than serialized from a record: the published tool is compiled ahead of time, where
    // reflection over a record's properties is not available. Absent values are written as null, as scripts read them.
    private static void WriteRule(Utf8JsonWriter json, Rule rule)
    {
        json.WriteStartObject();
        json.WriteString("id", rule.Id);
        json.WriteString("product", rule.Product);
        WriteSide(json, "from", rule.From);
        WriteSide(json, "to", rule.To);
        json.WriteString("transport", rule.TransportName);
        json.WriteStartArray("ports");
        foreach (var port in rule.Ports) json.WriteStringValue(port.ToString());
        json.WriteEndArray();
        json.WriteString("protocol", rule.Protocol);
        json.WriteBoolean("required", rule.Required);
        JsonOutput.WriteStrings(json, "conditions", rule.Conditions);
        JsonOutput.WriteStrings(json, "unless", rule.Unless);
        json.WriteString("oneOf", rule.OneOf);
        if (rule.Every is { } every) json.WriteNumber("everySeconds", every.TotalSeconds);
        else json.WriteNull("everySeconds");
        json.WriteBoolean("dynamicRange", rule.DynamicRange);
        if (rule.PublishedOnly) json.WriteString("external", "published");
        else json.WriteNull("external");
        // The RPC interfaces the rule grants, as the rule file writes them ("DRSUAPI only 0,1,12"); null when it names none.
        if (rule.Interfaces is { } grants) JsonOutput.WriteStrings(json, "interfaces", grants.Select(g => g.ToString()).ToList());
        else json.WriteNull("interfaces");
        // The ICMP messages the rule allows, as the rule file names them; null for any message and for other transports.
        if (rule.Icmp is { } messages) JsonOutput.WriteStrings(json, "icmp", messages.Select(m => m.ToString()).ToList());
        else json.WriteNull("icmp");
        // The names the rule's flows may name their server by, as the rule file writes them; null for any name.
        if (rule.ServerNames is { } names) JsonOutput.WriteStrings(json, "serverNames", names.Select(n => n.ToString()).ToList());
        else json.WriteNull("serverNames");
        json.WriteString("notes", rule.Notes);
        json.WriteStartObject("source");
        json.WriteString("file", rule.Source.File);
        if (rule.Source.Document is { } document) json.WriteString("document", document);
        json.WriteString("section", rule.Source.Section);
        json.WriteString("row", rule.Source.Row);
        json.WriteString("citation", rule.Source.Citation);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    // A side is written as the rule file writes it: one role as a string, several as a list.
    private static void WriteSide(Utf8JsonWriter json, string name, RuleSide side)
    {
        if (side.Selectors.Count == 1) json.WriteString(name, side.Selectors[0]);
        else JsonOutput.WriteStrings(json, name, side.Selectors);
    }
}
