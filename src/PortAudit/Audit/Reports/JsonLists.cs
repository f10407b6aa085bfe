using System.Text.Json;

namespace PortAudit.Audit.Reports;

/// <summary>JSON helpers the audit's report writers share.</summary>
internal static class JsonLists
{
    /// <summary>A property holding an array of strings.</summary>
    public static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
