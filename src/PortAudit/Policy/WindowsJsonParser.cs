using System.Text.Json;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Reads Windows Defender Firewall rules exported as JSON from PowerShell: the objects of <c>Get-NetFirewallRule</c>
/// joined with their filters, either nested (<c>PortFilter</c>, <c>AddressFilter</c>, <c>ApplicationFilter</c>,
/// <c>ServiceFilter</c>, as <c>Select-Object *, @{n='PortFilter';e={$_ | Get-NetFirewallPortFilter}}, ...</c> gives) or
/// flattened (<c>Protocol</c>, <c>LocalPort</c>, <c>RemoteAddress</c>... on the rule). Enumerations may be numbers or names.
/// </summary>
public static class WindowsJsonParser
{
    /// <summary>Parses <paramref name="json"/>, read from <paramref name="file"/>.</summary>
    /// <exception cref="InputException">Not JSON, a lone surrogate escape in a string, or neither an array of rules nor one rule.</exception>
    public static FirewallPolicy Parse(string json, string file, string? name = null)
    {
        var issues = new PolicyIssues();
        var rules = new List<WindowsRuleFields>();
        JsonDocument document;
        try
        {
            JsonRulesetText.RefuseLoneSurrogates(System.Text.Encoding.UTF8.GetBytes(json), file);
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InputException($"{file}:{e.LineNumber + 1}: not JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList()
                : root.ValueKind == JsonValueKind.Object ? [root]
                : throw new InputException($"{file}: expected Get-NetFirewallRule objects (an array of rules) as JSON");
            // JSON has no lines per element once parsed; rules are located by their position ("file:N" is the N-th rule).
            for (int i = 0; i < items.Count; i++)
                rules.Add(Fields(items[i], new PolicyLocation(file, i + 1)));
        }
        return WindowsRules.Policy(rules, issues, file, name, PolicyFormat.WindowsJson);
    }

    private static WindowsRuleFields Fields(JsonElement rule, PolicyLocation location)
    {
        var restrictions = new List<string>();
        if (Field(rule, "ApplicationFilter", "Program") is { } program && !program.Equals("any", StringComparison.OrdinalIgnoreCase)) restrictions.Add($"program={program}");
        if (Field(rule, "ServiceFilter", "Service") is { } service && !service.Equals("any", StringComparison.OrdinalIgnoreCase)) restrictions.Add($"service={service}");
        if (Field(rule, "PortFilter", "IcmpType") is { } icmp && !icmp.Equals("any", StringComparison.OrdinalIgnoreCase)) restrictions.Add($"icmptype={icmp}");
        string direction = Field(rule, null, "Direction") ?? "Inbound";
        string enabled = Field(rule, null, "Enabled") ?? "True";
        return new WindowsRuleFields(location, Field(rule, null, "DisplayName") ?? Field(rule, null, "Name"))
        {
            Enabled = enabled is "True" or "true" or "1",
            Inbound = direction is "Inbound" or "1" or "In",
            Action = Field(rule, null, "Action"),
            Protocol = Field(rule, "PortFilter", "Protocol"),
            LocalAddress = Field(rule, "AddressFilter", "LocalAddress"),
            RemoteAddress = Field(rule, "AddressFilter", "RemoteAddress"),
            LocalPort = Field(rule, "PortFilter", "LocalPort"),
            RemotePort = Field(rule, "PortFilter", "RemotePort"),
            Restrictions = restrictions,
        };
    }

    // A property of the rule, else of its joined filter object; arrays are joined with commas, as netsh writes lists.
    private static string? Field(JsonElement rule, string? filter, string property)
    {
        if (rule.TryGetProperty(property, out var value) && Text(value) is { } direct) return direct;
        if (filter is not null && rule.TryGetProperty(filter, out var joined))
        {
            if (joined.ValueKind == JsonValueKind.Array && joined.GetArrayLength() > 0) joined = joined[0];
            if (joined.ValueKind == JsonValueKind.Object && joined.TryGetProperty(property, out var inner)) return Text(inner);
        }
        return null;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(Text)),
        _ => null,
    };
}
