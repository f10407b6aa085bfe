using PortAudit.Catalog;
namespace PortAudit.Report.Catalogs;

/// <summary>Short text forms of rule fields shared by the table and the explanation.</summary>
internal static class RuleText
{
    /// <summary>"tcp/5061", "both/5000-5020", "esp", "tcp/135,139", or "icmp/echo-request,echo-reply" for the ICMP messages a rule names.</summary>
    public static string Ports(Rule rule) =>
        rule.Icmp is { } messages ? $"{rule.TransportName}/{string.Join(",", messages)}"
        : rule.Ports.Count == 0 ? rule.TransportName : $"{rule.TransportName}/{string.Join(",", rule.Ports)}";

    /// <summary>
    /// Conditions, negated conditions ("not https-disabled"), the group of alternatives ("one of mediation-gateway-in"),
    /// the period ("every 90 min"), the server names ("names sip.contoso.com *.lync.com") and the optional and dynamic
    /// markers, or "-" when none apply.
    /// </summary>
    public static string When(Rule rule)
    {
        var parts = new List<string>(rule.Conditions);
        parts.AddRange(rule.Unless.Select(feature => "not " + feature));
        if (rule.OneOf is { } group)
            parts.Add("one of " + group);
        if (rule.Every is { } every)
            parts.Add("every " + DurationText.Format(every));
        if (rule.ServerNames is { } names)
            parts.Add("names " + string.Join(" ", names));
        if (!rule.Required)
            parts.Add("optional");
        if (rule.DynamicRange)
            parts.Add("dynamic-range");
        return parts.Count == 0 ? "-" : string.Join(",", parts);
    }
}
