using System.Text.Json;
using PortAudit.Policy;
using PortAudit.Report.Text;

namespace PortAudit.Report.Audits;

/// <summary>
/// The firewall section of report.json and report.md: per enforcement point, the policy as read (rules, constructs not
/// understood with file:line), the verdict on each required catalog instance, and each rule against the catalog and the
/// traffic. Comments and names come from the policy file: outside text, neutralised by the writers.
/// </summary>
public static class FirewallReportWriter
{
    /// <summary>Writes the "firewalls" array (nothing when no policy was given).</summary>
    public static void WriteJson(Utf8JsonWriter json, IReadOnlyList<FirewallReport> firewalls)
    {
        if (firewalls.Count == 0) return;
        json.WriteStartArray("firewalls");
        foreach (var firewall in firewalls)
        {
            json.WriteStartObject();
            json.WriteString("name", firewall.Name);
            json.WriteString("file", firewall.Policy.File);
            json.WriteString("format", firewall.Policy.Format.ToString());
            json.WriteString("host", firewall.Host);
            json.WriteNumber("rulesRead", firewall.Policy.Rules.Count());
            json.WriteStartArray("notUnderstood");
            foreach (var issue in firewall.Policy.Issues)
            {
                json.WriteStartObject();
                json.WriteString("at", issue.Location.ToString());
                json.WriteString("construct", issue.Construct);
                json.WriteString("expected", issue.Expected);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("requiredInstances");
            foreach (var instance in firewall.Instances)
            {
                json.WriteStartObject();
                json.WriteString("rule", instance.CatalogRule);
                json.WriteString("fromHost", instance.FromHost);
                json.WriteString("toHost", instance.ToHost);
                json.WriteString("policy", instance.Decision.ToString().ToLowerInvariant());
                json.WriteString("decidedBy", instance.DecidedBy);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("rules");
            foreach (var rule in firewall.Rules) WriteRule(json, rule);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteRule(Utf8JsonWriter json, RulePolicy rule)
    {
        json.WriteStartObject();
        json.WriteString("id", rule.Rule.Id);
        json.WriteString("at", rule.Rule.Location.ToString());
        json.WriteString("action", rule.Rule.Action.ToString().ToLowerInvariant());
        json.WriteString("match", Match(rule.Rule));
        json.WriteString("comment", rule.Rule.Comment);
        json.WriteStartArray("justifiedBy");
        foreach (string id in rule.JustifiedBy) json.WriteStringValue(id);
        json.WriteEndArray();
        json.WriteNumber("flows", rule.Flows);
        json.WriteStartArray("flowIds");
        foreach (long id in rule.FlowIds) json.WriteNumberValue(id);
        json.WriteEndArray();
        json.WriteStartArray("broader");
        foreach (string reason in rule.Broader) json.WriteStringValue(reason);
        json.WriteEndArray();
        json.WriteString("shadowedBy", rule.ShadowedBy);
        json.WriteBoolean("unused", rule.Unused);
        json.WriteEndObject();
    }

    /// <summary>The rule's conditions in one line: "tcp 10.0.0.0/8 -> any:5061 new".</summary>
    public static string Match(PolicyRule rule)
    {
        string protocols = rule.Protocols is { } p ? string.Join("+", p.Select(PolicyValues.ProtocolName)) : "ip";
        string source = rule.Source?.ToString() ?? "any";
        string destination = rule.Destination?.ToString() ?? "any";
        string ports = rule.DestinationPorts is { } d ? ":" + d : "";
        string states = rule.States is { } s ? " " + s.ToString().ToLowerInvariant() : "";
        string maybe = rule.Undecidable.Count > 0 ? $" (+{string.Join("; ", rule.Undecidable)})" : "";
        return $"{protocols} {source} -> {destination}{ports}{states}{maybe}";
    }

    /// <summary>Writes the "Firewalls" section (nothing when no policy was given).</summary>
    public static void WriteMarkdown(TextWriter writer, IReadOnlyList<FirewallReport> firewalls)
    {
        foreach (var firewall in firewalls)
        {
            writer.WriteLine($"## Firewall {OutsideText.Markdown(firewall.Name)}");
            writer.WriteLine();
            writer.WriteLine($"{OutsideText.Markdown(firewall.Policy.File)} ({firewall.Policy.Format}): {firewall.Policy.Rules.Count()} rules read, " +
                             $"{firewall.Policy.Issues.Count} constructs not understood; " +
                             (firewall.Host is { } host ? $"the firewall of {OutsideText.Markdown(host)} (connections to it)." : "a network firewall (every flow)."));
            writer.WriteLine();
            if (firewall.Policy.Issues.Count > 0)
            {
                var issues = new MarkdownTable(writer, "at", "not understood", "expected");
                foreach (var issue in firewall.Policy.Issues) issues.Row(issue.Location.ToString(), issue.Construct, issue.Expected);
                writer.WriteLine();
            }
            var instances = new MarkdownTable(writer, "required rule", "from", "to", "policy", "decided by");
            foreach (var i in firewall.Instances.OrderByDescending(i => i.Decision == PolicyDecision.Blocked).ThenBy(i => i.CatalogRule, StringComparer.Ordinal))
                instances.Row(i.CatalogRule, i.FromHost, i.ToHost, i.Decision.ToString().ToLowerInvariant(), i.DecidedBy);
            writer.WriteLine();
            var rules = new MarkdownTable(writer, "rule", "at", "action", "match", "comment", "justified by", "flows", "broader", "shadowed by");
            foreach (var r in firewall.Rules)
                rules.Row(r.Rule.Id, r.Rule.Location.ToString(), r.Rule.Action.ToString().ToLowerInvariant(), Match(r.Rule), r.Rule.Comment,
                    r.JustifiedBy.Count == 0 ? "(nothing)" : string.Join(", ", r.JustifiedBy), r.Unused ? "unused" : r.Flows,
                    string.Join("; ", r.Broader), r.ShadowedBy);
            writer.WriteLine();
        }
    }
}
