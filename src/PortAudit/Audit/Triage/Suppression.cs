using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Audit.Triage;

/// <summary>
/// One entry of a suppression file: which findings it accepts (every matcher given must match), who accepted them,
/// why, and until when. An expired entry suppresses nothing and is reported, so an accepted risk is looked at again.
/// </summary>
public sealed record Suppression
{
    /// <summary>A finding id (<see cref="Finding.Id"/>), or null.</summary>
    public string? Id { get; init; }

    /// <summary>A finding kind, or null.</summary>
    public FindingKind? Kind { get; init; }

    /// <summary>A rule id, or null.</summary>
    public string? Rule { get; init; }

    /// <summary>The client end, or null.</summary>
    public EndPattern? Client { get; init; }

    /// <summary>The server end, or null.</summary>
    public EndPattern? Server { get; init; }

    /// <summary>Ports the finding's ports must all lie in, or null.</summary>
    public PortRange? Port { get; init; }

    /// <summary>A transport name (tcp, udp...), or null.</summary>
    public string? Transport { get; init; }

    /// <summary>Why the findings are accepted.</summary>
    public required string Justification { get; init; }

    /// <summary>Who accepted them.</summary>
    public required string Owner { get; init; }

    /// <summary>The last day the entry suppresses.</summary>
    public required DateOnly Expires { get; init; }

    /// <summary>Where the entry is written, "FILE:LINE:COLUMN".</summary>
    public string Source { get; init; } = "";

    /// <summary>True once <paramref name="today"/> is past <see cref="Expires"/>.</summary>
    public bool IsExpired(DateOnly today) => today > Expires;

    /// <summary>True when every matcher given matches <paramref name="finding"/>; <paramref name="hosts"/> resolves host names for prefixes.</summary>
    public bool Matches(FindingFacts finding, HostPrefixes hosts) =>
        (Id is null || string.Equals(Id, finding.Id, StringComparison.OrdinalIgnoreCase))
        && (Kind is null || Kind == finding.Kind)
        && (Rule is null || string.Equals(Rule, finding.Rule, StringComparison.Ordinal))
        && (Client is null || Client.Matches(finding.Client, hosts))
        && (Server is null || Server.Matches(finding.Server, hosts))
        && (Port is not { } port || PortsWithin(port, finding.Ports))
        && (Transport is null || string.Equals(Transport, finding.Transport, StringComparison.OrdinalIgnoreCase));

    /// <summary>What the entry matches, in its file's words: "rule=web-admin client=role:workstation port=8080".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Id is not null) parts.Add($"id={Id}");
        if (Kind is { } kind) parts.Add($"kind={kind.Name()}");
        if (Rule is not null) parts.Add($"rule={Rule}");
        if (Client is not null) parts.Add($"client={Client}");
        if (Server is not null) parts.Add($"server={Server}");
        if (Port is { } port) parts.Add(port.IsSingle ? $"port={port.Low}" : $"port={port.Low}-{port.High}");
        if (Transport is not null) parts.Add($"transport={Transport}");
        return string.Join(' ', parts);
    }

    // A finding's ports are one port or a rule's list ("5061,5062", "1024-65535"): all of them must be covered.
    private static bool PortsWithin(PortRange port, string ports)
    {
        foreach (var part in ports.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (!PortRange.TryParse(part, out var range, out _) || !port.Contains(range))
                return false;
        return ports.Length > 0;
    }
}
