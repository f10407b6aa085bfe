using PortAudit.Catalog;

namespace PortAudit.Audit;

/// <summary>
/// Says what would explain a flow no rule allows: "would be allowed if ex1 had role sql-server (rule ...)", from a rule
/// one of whose sides the flow's end does not match while the other does.
/// </summary>
public static class RoleExplanation
{
    /// <summary>The explanation of <paramref name="end"/> short of <paramref name="side"/> of <paramref name="rule"/>.</summary>
    public static string For(AuditEndpoint end, RuleSide side, Rule rule)
    {
        string who = end.Name ?? $"the {end.Zone} address";
        var roles = side.Roles.ToList();
        string what = roles.Count > 0
            ? $"had role {string.Join(" or ", roles)}"
            : $"were a host the inventory names in zone {string.Join(" or ", side.Selectors.Select(RuleSide.ZoneOf).Where(z => z is not null))}";
        return $"would be allowed if {who} {what} (rule {rule.Id})";
    }

    /// <summary>
    /// The explanation of a flow on <paramref name="transport"/>/<paramref name="port"/> between the two ends that no rule
    /// allows, from the first rule covering the port whose one side matches; null when no single role would.
    /// </summary>
    public static string? ForPort(RuleIndex index, Transport transport, int port, AuditEndpoint client, AuditEndpoint server)
    {
        foreach (var (rule, lacking) in index.OneSideShort(r => r.Covers(transport, port) && !r.DynamicRange, client.Roles, server.Roles))
            return lacking == "from" ? For(client, rule.From, rule) : For(server, rule.To, rule);
        return null;
    }
}
