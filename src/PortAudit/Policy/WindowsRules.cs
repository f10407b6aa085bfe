using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>One Windows Defender Firewall rule as both Windows exports give it (netsh text and Get-NetFirewallRule JSON).</summary>
internal sealed record WindowsRuleFields(PolicyLocation Location, string? Name)
{
    public bool Enabled { get; init; } = true;
    public bool Inbound { get; init; } = true;
    public string? Action { get; init; }
    public string? Protocol { get; init; }
    public string? LocalAddress { get; init; }
    public string? RemoteAddress { get; init; }
    public string? LocalPort { get; init; }
    public string? RemotePort { get; init; }
    /// <summary>Program, service, interface type, ICMP types: what restricts the rule beyond the packet's addresses and ports.</summary>
    public List<string> Restrictions { get; init; } = [];
}

/// <summary>
/// Builds the normalised policy of a Windows host firewall: an inbound and an outbound chain in which any matching block
/// rule wins over allow rules (order does not matter), inbound blocked and outbound allowed by default.
/// </summary>
internal static class WindowsRules
{
    /// <summary>The inbound chain's name.</summary>
    public const string Inbound = "inbound";

    /// <summary>The outbound chain's name.</summary>
    public const string Outbound = "outbound";

    /// <summary>The policy of <paramref name="rules"/>.</summary>
    public static FirewallPolicy Policy(IReadOnlyList<WindowsRuleFields> rules, PolicyIssues issues, string file, string? name, PolicyFormat format)
    {
        var inbound = new List<PolicyRule>();
        var outbound = new List<PolicyRule>();
        foreach (var fields in rules)
        {
            var list = fields.Inbound ? inbound : outbound;
            list.Add(Rule(fields, issues).Build(fields.Inbound ? Inbound : Outbound, list.Count + 1));
        }
        var location = new PolicyLocation(file, 0);
        var chains = new List<PolicyChain>
        {
            new() { Name = Inbound, Hook = Inbound, DefaultPolicy = PolicyAction.Drop, Rules = inbound, Semantics = ChainSemantics.BlockOverAllow, Location = location },
            new() { Name = Outbound, Hook = Outbound, DefaultPolicy = PolicyAction.Accept, Rules = outbound, Semantics = ChainSemantics.BlockOverAllow, Location = location },
        };
        // A host firewall guards connections to the host; a file of outbound rules only is about connections from it.
        string path = inbound.Count == 0 && outbound.Count > 0 ? Outbound : Inbound;
        return new FirewallPolicy
        {
            Name = name ?? Path.GetFileName(file), File = file, Format = format, Chains = chains, Paths = [new PolicyPath(path, [path])], Issues = issues.All,
        };
    }

    private static PolicyRuleBuilder Rule(WindowsRuleFields fields, PolicyIssues issues)
    {
        var rule = new PolicyRuleBuilder(fields.Location, issues) { Comment = fields.Name, Enabled = fields.Enabled };
        rule.Action = fields.Action?.ToLowerInvariant() switch
        {
            "allow" or "2" => PolicyAction.Accept,
            "block" or "4" => PolicyAction.Drop,
            _ => null,
        };
        if (rule.Action is null)
        {
            rule.Unknown($"action={fields.Action}", "allow or block (bypass needs IPsec, which a flow does not show)");
            rule.Action = PolicyAction.Unknown;
        }
        if (!IsAny(fields.Protocol))
        {
            // "icmpv4:8,any": ICMP with a message type and code, which a flow record does not carry.
            string[] protocolParts = fields.Protocol!.ToLowerInvariant().Split(':', 2);
            if (protocolParts.Length == 2) rule.Undecidable($"icmp type {protocolParts[1]}");
            if (AsaEntry.TryProtocol(protocolParts[0], out var protocols)) rule.Protocols = protocols;
            else rule.Unknown($"protocol={fields.Protocol}", "tcp, udp, icmpv4, icmpv6, any or a number");
        }
        var local = Addresses(rule, fields.LocalAddress, "localip");
        var remote = Addresses(rule, fields.RemoteAddress, "remoteip");
        var localPorts = Ports(rule, fields.LocalPort, "localport");
        var remotePorts = Ports(rule, fields.RemotePort, "remoteport");
        (rule.Source, rule.Destination) = fields.Inbound ? (remote, local) : (local, remote);
        (rule.SourcePorts, rule.DestinationPorts) = fields.Inbound ? (remotePorts, localPorts) : (localPorts, remotePorts);
        foreach (string restriction in fields.Restrictions) rule.Undecidable(restriction);
        return rule;
    }

    private static bool IsAny(string? value) => value is null || value.Length == 0 || value.Equals("any", StringComparison.OrdinalIgnoreCase);

    private static AddressMatch? Addresses(PolicyRuleBuilder rule, string? value, string field)
    {
        if (IsAny(value)) return null;
        var prefixes = new List<IpPrefix>();
        foreach (string part in value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (PolicyValues.TryPrefix(part, out var prefix) || (part.Split('/') is [var a, var m] && PolicyValues.TryMask(a, m, out prefix)))
                prefixes.Add(prefix);
            else if (PolicyValues.TryAddressRange(part, out var from, out var to))
                prefixes.AddRange(NftMatches.RangePrefixes(from, to));
            else
            {
                // LocalSubnet, DNS, DefaultGateway...: the host's own networks, not in the export.
                rule.Unknown($"{field}={part}", "addresses, prefixes or ranges (keywords such as LocalSubnet depend on the host)");
                return new AddressMatch([]) { SetName = part, Unresolved = true };
            }
        }
        return new AddressMatch(prefixes);
    }

    private static PortMatch? Ports(PolicyRuleBuilder rule, string? value, string field)
    {
        if (IsAny(value)) return null;
        var ranges = new List<PortRange>();
        foreach (string part in value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (PolicyValues.TryPortRange(part, '-', out var range)) ranges.Add(range);
            else
            {
                rule.Unknown($"{field}={part}", "ports or ranges (RPC, RPC-EPMap and IPHTTPS are chosen at run time)");
                return null;
            }
        return new PortMatch(ranges);
    }
}
