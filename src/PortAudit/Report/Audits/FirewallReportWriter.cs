using System.Text.Json;
using PortAudit.Audit.Firewall;
using PortAudit.Policy;
using PortAudit.Report.Text;

namespace PortAudit.Report.Audits;

/// <summary>
/// The firewall section of report.json and report.md: per enforcement point, the policy as read (rules, constructs not
/// understood with file:line), the verdict on each required catalog instance, each rule against the catalog and the
/// traffic, and its address translations (evaluated, or understood and not evaluated). Comments and names come from the policy file: outside text, neutralised by the writers.
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
            json.WriteNumber("rulesRead", FilterRules(firewall));
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
                json.WriteString("seed", instance.Seed);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("rules");
            foreach (var rule in firewall.Rules) WriteRule(json, rule);
            json.WriteEndArray();
            json.WriteStartArray("nat");
            foreach (var rule in firewall.Policy.Nat)
            {
                json.WriteStartObject();
                json.WriteString("id", rule.Id);
                json.WriteString("at", rule.Location.ToString());
                json.WriteString("kind", rule.Nat!.Kind);
                json.WriteString("match", Match(rule));
                json.WriteString("translation", rule.Nat.Text);
                json.WriteBoolean("evaluated", rule.Nat.Evaluated);
                json.WriteString("treatment", rule.Nat.Treatment);
                json.WriteEndObject();
            }
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

    /// <summary>The rule's conditions in one line: "tcp 10.0.0.0/8 -> any:5061 new iifname eth0".</summary>
    public static string Match(PolicyRule rule)
    {
        string protocols = rule.Protocols is { } p ? string.Join("+", p.Select(PolicyValues.ProtocolName)) : "ip";
        string source = rule.Source?.ToString() ?? "any";
        string destination = rule.Destination?.ToString() ?? "any";
        string ports = rule.DestinationPorts is { } d ? ":" + d : "";
        string states = (rule.States is { } s ? " " + s.ToString().ToLowerInvariant() : "")
            + Translation(rule)
            + (rule.DestinationTypes is { } types ? " dst-type " + PolicyValues.AddressTypeNames(types) : "");
        string maybe = rule.Undecidable.Count > 0 ? $" (+{string.Join("; ", rule.Undecidable)})" : "";
        string interfaces = rule.Interfaces is { } on ? " " + on : "";
        return $"{protocols} {source} -> {destination}{ports}{states}{interfaces}{maybe}";
    }

    // The status flags the rule asks for: " dnat", " !dnat !snat", or either of two, " snat|dnat", " snat|!dnat".
    private static string Translation(PolicyRule rule)
    {
        static string Flag(bool? set, string name) => set switch { true => name, false => "!" + name, null => "" };
        if (rule.AnyTranslation) return $" {Flag(rule.SourceTranslated, "snat")}|{Flag(rule.Translated, "dnat")}";
        return (rule.Translated is null ? "" : " " + Flag(rule.Translated, "dnat")) + (rule.SourceTranslated is null ? "" : " " + Flag(rule.SourceTranslated, "snat"));
    }

    /// <summary>Columns of the required-instance table, in report.md and report.html.</summary>
    public static readonly string[] InstanceHeaders = ["required rule", "from", "to", "policy", "decided by"];

    /// <summary>Columns of the rule table, in report.md and report.html.</summary>
    public static readonly string[] RuleHeaders = ["rule", "at", "action", "match", "comment", "justified by", "flows", "broader", "shadowed by"];

    /// <summary>Columns of the NAT table, in report.md and report.html.</summary>
    public static readonly string[] NatHeaders = ["NAT rule", "at", "match", "translation", "treatment"];

    /// <summary>The line that says what was read: "fe.json (NftJson): 8 rules read, 0 constructs not understood, 1 NAT rule; the firewall of fe01 (connections to it)."</summary>
    public static string Summary(FirewallReport firewall)
    {
        int nat = firewall.Policy.Nat.Count();
        return $"{firewall.Policy.File} ({firewall.Policy.Format}): {FilterRules(firewall)} rules read, " +
               $"{firewall.Policy.Issues.Count} constructs not understood" + (nat > 0 ? $", {nat} NAT {(nat == 1 ? "rule" : "rules")}" : "") + "; " +
               (firewall.Host is { } host ? $"the firewall of {host} (connections to it)." : "a network firewall (every flow).");
    }

    // The filter rules read; the policy's rules hold its address translations too, which "nat" counts.
    private static int FilterRules(FirewallReport firewall) => firewall.Policy.Rules.Count(r => r.Nat is null);

    /// <summary>The required instances, blocked first.</summary>
    public static IEnumerable<InstancePolicy> OrderedInstances(FirewallReport firewall) =>
        firewall.Instances.OrderByDescending(i => i.Decision == PolicyDecision.Blocked).ThenBy(i => i.CatalogRule, StringComparer.Ordinal);

    /// <summary>One row of the required-instance table.</summary>
    public static string[] InstanceCells(InstancePolicy i) => [i.CatalogRule, i.FromHost, i.ToHost, i.Decision.ToString().ToLowerInvariant(), i.DecidedBy];

    /// <summary>One row of the rule table.</summary>
    public static string[] RuleCells(RulePolicy r) =>
    [
        r.Rule.Id, r.Rule.Location.ToString(), r.Rule.Action.ToString().ToLowerInvariant(), Match(r.Rule), r.Rule.Comment ?? "",
        r.JustifiedBy.Count == 0 ? "(nothing)" : string.Join(", ", r.JustifiedBy),
        Flows(r), string.Join("; ", r.Broader), r.ShadowedBy ?? "",
    ];

    // "unused", or the count and the ids flows.jsonl gives them: "2 (flows 4, 9)".
    private static string Flows(RulePolicy r) => r.Unused ? "unused"
        : $"{r.Flows.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({(r.FlowIds.Count == 1 ? "flow" : "flows")} {string.Join(", ", r.FlowIds)}{(r.Flows > r.FlowIds.Count ? ", ..." : "")})";

    /// <summary>One row of the NAT table.</summary>
    public static string[] NatCells(PolicyRule rule) => [rule.Id, rule.Location.ToString(), Match(rule), rule.Nat!.Text, rule.Nat.Treatment];

    /// <summary>Writes the "Firewalls" section (nothing when no policy was given).</summary>
    public static void WriteMarkdown(TextWriter writer, IReadOnlyList<FirewallReport> firewalls)
    {
        foreach (var firewall in firewalls)
        {
            writer.WriteLine($"## Firewall {OutsideText.Markdown(firewall.Name)}");
            writer.WriteLine();
            writer.WriteLine(OutsideText.Markdown(Summary(firewall)));
            writer.WriteLine();
            if (firewall.Policy.Issues.Count > 0)
            {
                var issues = new MarkdownTable(writer, "at", "not understood", "expected");
                foreach (var issue in firewall.Policy.Issues) issues.Row(issue.Location.ToString(), issue.Construct, issue.Expected);
                writer.WriteLine();
            }
            var instances = new MarkdownTable(writer, InstanceHeaders);
            foreach (var i in OrderedInstances(firewall)) instances.Row(InstanceCells(i));
            writer.WriteLine();
            var rules = new MarkdownTable(writer, RuleHeaders);
            foreach (var r in firewall.Rules) rules.Row(RuleCells(r));
            writer.WriteLine();
            if (firewall.Policy.Nat.Any())
            {
                var nat = new MarkdownTable(writer, NatHeaders);
                foreach (var rule in firewall.Policy.Nat) nat.Row(NatCells(rule));
                writer.WriteLine();
            }
        }
    }
}
