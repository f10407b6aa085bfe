using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Common;

namespace PortAudit.Report.Audits;

/// <summary>A finding read from a report.json, written back in the same field names (report.json's resolved list, <c>portaudit diff</c>).</summary>
public static class RecordedFindingJson
{
    /// <summary>Writes <paramref name="finding"/> as one object.</summary>
    public static void Write(Utf8JsonWriter json, RecordedFinding finding)
    {
        json.WriteStartObject();
        // The names and order of report.json's findings[], less what a recorded finding does not keep (roles, evidence).
        (string Name, string? Value)[] fields =
        [
            ("id", finding.Id), ("kind", finding.Kind.Name()), ("severity", finding.Severity), ("clientHost", finding.ClientHost),
            ("serverHost", finding.ServerHost), ("transport", finding.Transport), ("ports", finding.Ports), ("rule", finding.Rule),
            ("reason", finding.Reason),
        ];
        foreach (var (name, value) in fields) json.WriteString(name, value);
        json.WriteNumber("flows", finding.Flows);
        json.WriteBoolean("suppressed", finding.Suppressed);
        json.WriteEndObject();
    }
}
