using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Report;
using PortAudit.Report.Json;
using PortAudit.Report.Records;
using PortAudit.Report.Text;

namespace PortAudit.Report.Audits;

/// <summary>
/// Writes report.json: <c>provenance</c> (when known), <c>complete</c>, <c>records</c> and <c>packets</c> (when the inputs
/// held them), <c>summary</c>, <c>capture</c>, <c>findings</c>, <c>coverage</c>
/// and <c>rolePairs</c>, then <c>baseline</c> and <c>resolved</c> when a baseline was given and <c>suppressions</c> when a
/// suppression file was, as documented in docs/audit.md. Written field by field rather than serialized so that the
/// schema is what this file says, not what the model classes happen to expose.
/// </summary>
public static class AuditJsonWriter
{
    /// <summary>Most addresses or ports listed per finding; the rest are counted (<c>otherFlows</c>).</summary>
    public const int ListedPerFinding = 20;

    /// <summary>
    /// Writes <paramref name="report"/> to <paramref name="output"/> (indented UTF-8), headed by
    /// <paramref name="provenance"/> when given, which also names the inputs that findings' frames refer to.
    /// </summary>
    public static void Write(Stream output, AuditReport report, AuditProvenance? provenance = null)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            if (provenance is not null) ProvenanceJson.Write(json, provenance);
            json.WriteBoolean("complete", report.Complete);
            if (report.Incomplete.Count > 0)
            {
                json.WriteStartArray("incomplete");
                foreach (var reason in report.Incomplete) json.WriteStringValue(reason.Name());
                json.WriteEndArray();
            }
            // Flow record inputs say how many records were rejected, under the threshold of RecordsRejected too.
            if (report.Records.Any)
            {
                json.WriteStartObject("records");
                json.WriteNumber("read", report.Records.Read);
                json.WriteNumber("rejected", report.Records.Rejected);
                json.WriteEndObject();
            }
            if (report.Packets.Any) WritePackets(json, report.Packets);
            WriteSummary(json, report.Summary);
            WriteCapture(json, report.Capture);
            json.WriteStartArray("findings");
            foreach (var finding in report.Findings)
            {
                WriteFinding(json, finding, report.Triage, provenance);
                JsonOutput.FlushIfFull(json);
            }
            json.WriteEndArray();
            json.WriteStartArray("coverage");
            foreach (var entry in report.Coverage)
            {
                WriteCoverage(json, entry);
                JsonOutput.FlushIfFull(json);
            }
            json.WriteEndArray();
            json.WriteStartArray("rolePairs");
            foreach (var pair in report.RolePairs)
            {
                WriteRolePair(json, pair);
                JsonOutput.FlushIfFull(json);
            }
            json.WriteEndArray();
            WriteTriage(json, report);
            FirewallReportWriter.WriteJson(json, report.Firewalls);
            json.WriteEndObject();
        });
    }

    // Packet inputs say how many packets were read and how many are in no flow, by why.
    private static void WritePackets(Utf8JsonWriter json, PacketCounts packets)
    {
        json.WriteStartObject("packets");
        json.WriteNumber("read", packets.Read);
        json.WriteNumber("bytes", packets.Bytes);
        json.WriteNumber("notIp", packets.NotIp);
        json.WriteNumber("truncated", packets.Truncated);
        json.WriteNumber("malformed", packets.Malformed);
        json.WriteNumber("unsupportedLinkType", packets.UnsupportedLinkType);
        // Only a live capture can lose packets before reading them; a file's report keeps its fields as they were.
        if (packets.Dropped > 0) json.WriteNumber("dropped", packets.Dropped);
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, AuditSummary summary)
    {
        json.WriteStartObject("summary");
        json.WriteNumber("flows", summary.Flows);
        json.WriteNumber("failedAttempts", summary.FailedAttempts);
        json.WriteStartObject("verdicts");
        foreach (var (verdict, count) in summary.Verdicts) json.WriteNumber(verdict.Name(), count);
        json.WriteEndObject();
        json.WriteStartObject("findings");
        foreach (var (kind, count) in summary.Findings) json.WriteNumber(kind.Name(), count);
        json.WriteEndObject();
        json.WriteStartObject("coverage");
        json.WriteNumber("instances", summary.Coverage.Instances);
        json.WriteNumber("seen", summary.Coverage.Seen);
        json.WriteNumber("failed", summary.Coverage.Failed);
        json.WriteNumber("requiredNeverSeen", summary.Coverage.RequiredNeverSeen);
        json.WriteNumber("optionalNeverSeen", summary.Coverage.OptionalNeverSeen);
        json.WriteNumber("notExercised", summary.Coverage.NotExercised);
        json.WriteNumber("alternativeSeen", summary.Coverage.AlternativeSeen);
        json.WriteNumber("contradicted", summary.Coverage.Contradicted);
        json.WriteEndObject();
        // Verdicts per basis: what the audit's verdicts rest on (inspected, exporter-app-id, port-only, firewall-log).
        json.WriteStartObject("evidence");
        foreach (var evidence in summary.Evidence.Bases)
        {
            json.WriteStartObject(evidence.Name());
            json.WriteNumber("flows", summary.Evidence.Flows(evidence));
            json.WriteStartObject("verdicts");
            foreach (var verdict in VerdictNames.All) json.WriteNumber(verdict.Name(), summary.Evidence.Count(evidence, verdict));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
        if (summary.Anomalies is { } anomalies)
        {
            json.WriteStartObject("anomalyModels");
            json.WriteStartObject("judged");
            foreach (var (set, count) in anomalies.Judged) json.WriteNumber(set, count);
            json.WriteEndObject();
            json.WriteNumber("unjudged", anomalies.Unjudged);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteCapture(Utf8JsonWriter json, CaptureSummary capture)
    {
        json.WriteStartObject("capture");
        json.WriteString("start", capture.LastNs == 0 ? null : Timestamps.ToIso(capture.FirstNs));
        json.WriteString("end", capture.LastNs == 0 ? null : Timestamps.ToIso(capture.LastNs));
        json.WriteNumber("seconds", Math.Round(capture.Seconds, 6));
        json.WriteNumber("minimumSecondsForMissing", capture.MinimumSpan.TotalSeconds);
        json.WriteNumber("inventoryHosts", capture.InventoryHosts);
        JsonOutput.WriteStrings(json, "hostsSeen", capture.HostsSeen);
        JsonOutput.WriteStrings(json, "zonesSeen", capture.ZonesSeen);
        json.WriteEndObject();
    }

    private static void WriteAnomaly(Utf8JsonWriter json, Audit.Anomaly.AnomalyEvidence anomaly)
    {
        json.WriteStartObject("anomaly");
        json.WriteString("model", anomaly.Model);
        json.WriteNumber("score", Math.Round(anomaly.Score, 3));
        json.WriteNumber("threshold", Math.Round(anomaly.Threshold, 3));
        json.WriteString("statistic", anomaly.Statistic);
        json.WriteStartArray("departures");
        foreach (var departure in anomaly.Departures)
        {
            json.WriteStartObject();
            json.WriteString("feature", departure.Feature);
            json.WriteNumber("value", Math.Round(departure.Value, 3));
            json.WriteNumber("normalLow", Math.Round(departure.Low, 3));
            json.WriteNumber("normalHigh", Math.Round(departure.High, 3));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter json, Finding finding, FindingTriage triage, AuditProvenance? provenance)
    {
        json.WriteStartObject();
        json.WriteString("id", finding.Id);
        if (triage.HasBaseline) json.WriteString("status", triage.StatusOf(finding).Name());
        if (triage.HasSuppressions)
        {
            if (triage.SuppressionOf(finding) is { } entry) WriteSuppression(json, "suppressed", entry);
            else json.WriteNull("suppressed");
        }
        json.WriteString("kind", finding.Kind.Name());
        json.WriteString("severity", finding.Severity.Name());
        json.WriteString("clientHost", finding.ClientHost);
        json.WriteString("serverHost", finding.ServerHost);
        JsonOutput.WriteStrings(json, "clientRoles", finding.ClientRoles);
        JsonOutput.WriteStrings(json, "serverRoles", finding.ServerRoles);
        json.WriteString("transport", finding.Transport);
        json.WriteString("ports", finding.Ports);
        json.WriteString("rule", finding.Rule);
        json.WriteString("segment", finding.Segment);
        json.WriteString("reason", finding.Reason);
        if (finding.Explanation is not null) json.WriteString("explanation", finding.Explanation);
        if (finding.Anomaly is { } anomaly) WriteAnomaly(json, anomaly);
        json.WriteString("tsharkFilter", TsharkFilter.For(finding));
        json.WriteStartObject("evidence");
        WriteTally(json, finding.Tally);
        WriteCounter(json, "clientAddresses", finding.ClientAddresses, "address");
        WriteCounter(json, "serverAddresses", finding.ServerAddresses, "address");
        WriteCounter(json, "serverPorts", finding.ServerPorts, "port");
        if (finding.TunnelledFlows > 0)
        {
            json.WriteNumber("tunnelledFlows", finding.TunnelledFlows);
            json.WriteString("firstTunnel", finding.FirstTunnel);
        }
        json.WriteStartArray("flowIds");
        foreach (long id in finding.FlowIds) json.WriteNumberValue(id);
        json.WriteEndArray();
        json.WriteStartArray("frames");
        foreach (var sample in FindingText.FirstFrames(finding))
        {
            json.WriteStartObject();
            json.WriteString("input", provenance?.InputName(sample.Input));
            json.WriteNumber("frame", sample.Frame);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("samples");
        foreach (var sample in finding.Samples) WriteSample(json, sample, provenance);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A bounded count of addresses or ports: the busiest listed, how many were seen, the flows of the rest.</summary>
    private static void WriteCounter<TKey>(Utf8JsonWriter json, string name, CappedCounter<TKey>? counter, string keyName)
        where TKey : notnull, IComparable<TKey>
    {
        if (counter is null) return;
        json.WriteStartObject(name);
        json.WriteNumber("distinct", counter.Distinct);
        json.WriteBoolean("overflowed", counter.Overflowed);
        json.WriteStartArray("top");
        foreach (var (key, flows) in counter.Top(ListedPerFinding))
        {
            json.WriteStartObject();
            json.WriteString(keyName, key.ToString());
            json.WriteNumber("flows", flows);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNumber("otherFlows", counter.FlowsBeyond(ListedPerFinding));
        json.WriteEndObject();
    }

    // Written only when asked for, so that a plain audit's report keeps its plain keys.
    private static void WriteTriage(Utf8JsonWriter json, AuditReport report)
    {
        var triage = report.Triage;
        if (triage.Inputs.Baseline is { } baseline)
        {
            json.WriteStartObject("baseline");
            json.WriteString("file", baseline.Source);
            json.WriteNumber("new", triage.Count(report.Findings, FindingStatus.New));
            json.WriteNumber("unchanged", triage.Count(report.Findings, FindingStatus.Unchanged));
            json.WriteNumber("resolved", triage.Resolved.Count);
            json.WriteEndObject();
            json.WriteStartArray("resolved");
            foreach (var finding in triage.Resolved) RecordedFindingJson.Write(json, finding);
            json.WriteEndArray();
        }
        if (triage.Inputs.Suppressions is { } entries)
        {
            json.WriteStartObject("suppressions");
            json.WriteString("file", triage.Inputs.SuppressionsName);
            json.WriteNumber("entries", entries.Count);
            json.WriteNumber("suppressed", triage.SuppressedCount);
            json.WriteStartArray("expired");
            foreach (var entry in triage.Expired) WriteSuppression(json, null, entry);
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static void WriteSuppression(Utf8JsonWriter json, string? name, Suppression entry)
    {
        if (name is null) json.WriteStartObject();
        else json.WriteStartObject(name);
        json.WriteString("source", entry.Source);
        json.WriteString("match", entry.Describe());
        json.WriteString("justification", entry.Justification);
        json.WriteString("owner", entry.Owner);
        json.WriteString("expires", TriageText.Date(entry.Expires));
        json.WriteEndObject();
    }

    private static void WriteSample(Utf8JsonWriter json, FlowSample sample, AuditProvenance? provenance)
    {
        json.WriteStartObject();
        json.WriteNumber("id", sample.Id);
        json.WriteString("input", provenance?.InputName(sample.Input));
        json.WriteNumber("frame", sample.Frame);
        json.WriteString("start", Timestamps.ToIso(sample.StartNs));
        json.WriteString("end", Timestamps.ToIso(sample.EndNs));
        json.WriteString("transport", sample.Transport);
        json.WriteString("client", sample.Client);
        json.WriteNumber("clientPort", sample.ClientPort);
        json.WriteString("server", sample.Server);
        json.WriteNumber("serverPort", sample.ServerPort);
        json.WriteString("communityId", sample.CommunityId);
        json.WriteString("state", sample.State);
        json.WriteString("app", sample.App?.Name);
        json.WriteString("evidence", sample.Evidence);
        if (sample.RecordId is not null) json.WriteString("recordId", sample.RecordId);
        if (sample.Tunnel is not null) json.WriteString("tunnel", sample.Tunnel);
        json.WriteString("sides", sample.Sides);
        if (sample.TurnedByPorts) json.WriteBoolean("firstFromServer", true);
        json.WriteEndObject();
    }

    private static void WriteCoverage(Utf8JsonWriter json, CoverageEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("rule", entry.Rule.Id);
        json.WriteString("fromHost", entry.FromHost);
        json.WriteString("toHost", entry.ToHost);
        json.WriteString("fromRole", entry.Rule.From.ToString());
        json.WriteString("toRole", entry.Rule.To.ToString());
        json.WriteString("transport", entry.Rule.TransportName);
        json.WriteString("ports", string.Join(",", entry.Rule.Ports));
        json.WriteString("protocol", entry.Rule.Protocol);
        json.WriteBoolean("required", entry.Rule.Required);
        json.WriteBoolean("aggregated", entry.Aggregated);
        json.WriteString("status", entry.Status.Name());
        if (entry.Rule.OneOf is { } group) json.WriteString("oneOf", group);
        if (entry.Rule.Source.IsSite) json.WriteString("siteRule", entry.Rule.Source.Citation);
        if (entry.Status == CoverageStatus.NotExercised) json.WriteString("why", entry.NotExercisedReason);
        WriteTally(json, entry.Tally);
        // The protocol mismatches that show the path in use for something else, apart from the flows the rule allowed.
        if (entry.Mismatches.Flows > 0)
        {
            json.WriteStartObject("mismatched");
            WriteTally(json, entry.Mismatches);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteRolePair(Utf8JsonWriter json, RolePairStatistics pair)
    {
        json.WriteStartObject();
        json.WriteString("clientRoles", pair.ClientRoles);
        json.WriteString("serverRoles", pair.ServerRoles);
        json.WriteNumber("flows", pair.Flows);
        json.WriteNumber("bytes", pair.Bytes);
        json.WriteStartObject("verdicts");
        foreach (var verdict in VerdictNames.All) json.WriteNumber(verdict.Name(), pair.Count(verdict));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteTally(Utf8JsonWriter json, FlowTally tally)
    {
        json.WriteNumber("flows", tally.Flows);
        json.WriteNumber("failedFlows", tally.FailedFlows);
        json.WriteNumber("unansweredAtEndFlows", tally.UnansweredAtEndFlows);
        json.WriteNumber("bytes", tally.Bytes);
        WriteTime(json, "first", tally.Dated, tally.FirstNs);
        WriteTime(json, "last", tally.Dated, tally.LastNs);
        // What the flows counted rest on: packets inspected, an exporter's application id, the port alone, a firewall log.
        json.WriteStartObject("evidence");
        foreach (var evidence in Enum.GetValues<FlowEvidence>())
            if (tally.Count(evidence) > 0) json.WriteNumber(evidence.Name(), tally.Count(evidence));
        json.WriteEndObject();
    }

    internal static void WriteTime(Utf8JsonWriter json, string name, long flows, long nanoseconds)
    {
        if (flows == 0) json.WriteNull(name);
        else json.WriteString(name, Timestamps.ToIso(nanoseconds));
    }
}
