using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Audit;

/// <summary>
/// Says what would explain a flow no rule allows: "would be allowed if ex1 had role sql-server (rule ...)", from a rule
/// one of whose sides takes its end while the other does not, or "would be allowed if dc01 published dns (rule ...)"
/// for a listener row whose sides both take the ends. A role is only ever proposed for a host the inventory names: an
/// Internet address gets none.
/// </summary>
public static class RoleExplanation
{
    /// <summary>
    /// The first explanation among the rules <paramref name="candidates"/> keeps, trying them in catalog order; null when
    /// no single role or publication would allow the flow.
    /// </summary>
    public static string? Find(RuleIndex index, Func<Rule, bool> candidates, AuditEndpoint client, AuditEndpoint server) =>
        First(index.Sides(candidates, client.Roles, server.Roles), client, server);

    private static string? First(IEnumerable<(Rule Rule, bool Client, bool Server)> sides, AuditEndpoint client, AuditEndpoint server,
        AppLabel? app = null)
    {
        foreach (var (rule, fromTakes, toTakes) in sides)
        {
            // A rule whose protocol inspection contradicts would make the flow a mismatch, whatever the roles: not allowed.
            if (!ProtocolExpectations.Accepts(rule.Protocol, app)) continue;
            if (fromTakes && toTakes)
            {
                if (rule.PublishedOnly && server.Host is { } host && !client.ZoneListed)
                    return $"would be allowed if {host.Name} published {rule.Protocol} (rule {rule.Id})";
                continue;
            }
            if (fromTakes == toTakes) continue;
            var (end, side) = fromTakes ? (server, rule.To) : (client, rule.From);
            if (For(end, side, rule) is { } text) return text;
        }
        return null;
    }

    /// <summary>
    /// The explanation of <paramref name="end"/> short of <paramref name="side"/> of <paramref name="rule"/>: a role for a
    /// host the inventory names, the zone for an address of a listed zone it does not name; null otherwise.
    /// </summary>
    public static string? For(AuditEndpoint end, RuleSide side, Rule rule)
    {
        var roles = side.Roles.ToList();
        if (end.Name is { } name && roles.Count > 0)
            return $"would be allowed if {name} had role {string.Join(" or ", roles)} (rule {rule.Id})";
        var zones = side.Selectors.Select(RuleSide.ZoneOf).OfType<string>().ToList();
        if (end.Name is null && end.ZoneListed && zones.Contains(end.Zone))
            return $"would be allowed if the inventory named this {end.Zone} address (rule {rule.Id})";
        return null;
    }

    /// <summary>
    /// The explanation of a flow on <paramref name="transport"/>/<paramref name="port"/> that no rule allows, from the
    /// fixed-port rules covering it whose protocol accepts <paramref name="app"/>, what inspection found (null: nothing).
    /// </summary>
    public static string? ForPort(RuleIndex index, Transport transport, int port, AppLabel? app, AuditEndpoint client, AuditEndpoint server) =>
        First(index.SidesAt(transport, port, client.Roles, server.Roles), client, server, app);

    /// <summary>
    /// The explanation of an ICMP flow of <paramref name="type"/>/<paramref name="code"/> that no rule allows, from the
    /// rules on <paramref name="transport"/> that allow its message: an echo rule does not explain an unreachable.
    /// </summary>
    public static string? ForIcmp(RuleIndex index, Transport transport, byte type, byte code, AuditEndpoint client, AuditEndpoint server) =>
        Find(index, rule => rule.Transports.Contains(transport) && (rule.Icmp is not { } messages || IcmpMessage.Any(messages, type, code)),
            client, server);
}
