using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Report.Json;

namespace PortAudit.Report.Audits;

/// <summary>Writes the <c>provenance</c> object that heads report.json (schema in docs/audit.md).</summary>
internal static class ProvenanceJson
{
    public static void Write(Utf8JsonWriter json, AuditProvenance provenance)
    {
        json.WriteStartObject("provenance");
        json.WriteString("tool", "portaudit");
        json.WriteString("version", provenance.ToolVersion);
        json.WriteStartArray("inputs");
        foreach (var input in provenance.Inputs) WriteInput(json, null, input);
        json.WriteEndArray();
        WriteInput(json, "inventory", provenance.Inventory);
        json.WriteStartObject("catalog");
        json.WriteString("name", provenance.Catalog.Name);
        json.WriteString("sha256", provenance.Catalog.Sha256);
        JsonOutput.WriteStrings(json, "files", provenance.Catalog.Files);
        if (provenance.LocalRules.Count > 0)
        {
            // The site's own rules are part of what the verdicts rest on: named with their digests like every input.
            json.WriteStartArray("localRules");
            foreach (var file in provenance.LocalRules) WriteInput(json, null, file);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        WriteOptions(json, provenance);
        json.WriteStartObject("capture");
        bool any = provenance.LastNs > 0;
        AuditJsonWriter.WriteTime(json, "first", any ? 1 : 0, provenance.FirstNs);
        AuditJsonWriter.WriteTime(json, "last", any ? 1 : 0, provenance.LastNs);
        // The time covered, as the report's capture.seconds, not first to last: inputs of different days are not one long capture.
        json.WriteNumber("seconds", any ? (provenance.CoveredNs ?? provenance.LastNs - provenance.FirstNs) / 1e9 : 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteInput(Utf8JsonWriter json, string? property, InputDigest input)
    {
        if (property is null) json.WriteStartObject();
        else json.WriteStartObject(property);
        json.WriteString("name", input.Name);
        json.WriteString("kind", input.Kind switch
        {
            InputKind.File => "file",
            InputKind.StandardInput => "stdin",
            InputKind.Pipe => "pipe",
            _ => "other",
        });
        json.WriteString("sha256", input.Sha256);
        if (input.Bytes is { } bytes) json.WriteNumber("bytes", bytes);
        else json.WriteNull("bytes");
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string property, InputDigest? input)
    {
        if (input is null) json.WriteNull(property);
        else WriteInput(json, property, input);
    }

    private static void WriteOptions(Utf8JsonWriter json, AuditProvenance provenance)
    {
        var flows = provenance.FlowOptions;
        json.WriteStartObject("options");
        json.WriteNumber("udpTimeoutSeconds", flows.UdpIdleTimeout.TotalSeconds);
        json.WriteNumber("tcpTimeoutSeconds", flows.TcpIdleTimeout.TotalSeconds);
        json.WriteNumber("tcpClosedLingerSeconds", flows.TcpClosedLinger.TotalSeconds);
        json.WriteNumber("maxFlows", flows.MaxFlows);
        JsonOutput.WriteStrings(json, "failOn", provenance.FailOn.Select(k => k.Name()).ToList());
        json.WriteNumber("minimumSpanSeconds", provenance.MinimumSpan.TotalSeconds);
        WriteOptional(json, "suppressions", provenance.Suppressions);
        WriteOptional(json, "baseline", provenance.Baseline);
        // Only with --model: without it report.json is what it was before models existed.
        if (provenance.Model is { } model) WriteInput(json, "model", model);
        json.WriteEndObject();
    }
}
