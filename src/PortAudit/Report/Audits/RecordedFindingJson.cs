using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Audit.Triage;

namespace PortAudit.Report.Audits;

/// <summary>A finding read from a report.json, written back in the same field names (report.json's resolved list, <c>portaudit diff</c>).</summary>
public static class RecordedFindingJson
{
    /// <summary>Writes <paramref name="finding"/> as one object.</summary>
    public static void Write(Utf8JsonWriter json, RecordedFinding finding)
    {
        json.WriteStartObject();
        json.WriteString("id", finding.Id);
        json.WriteString("kind", finding.Kind.Name());
        json.WriteString("severity", finding.Severity);
        json.WriteString("clientHost", finding.ClientHost);
        json.WriteString("serverHost", finding.ServerHost);
        json.WriteString("transport", finding.Transport);
        json.WriteString("ports", finding.Ports);
        json.WriteString("rule", finding.Rule);
        json.WriteString("reason", finding.Reason);
        json.WriteNumber("flows", finding.Flows);
        json.WriteBoolean("suppressed", finding.Suppressed);
        json.WriteEndObject();
    }
}
