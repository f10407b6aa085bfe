using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Audit;

/// <summary>
/// Says what would explain a flow no rule allows: "would be allowed if ex1 had role sql-server (rule ...)", from a rule
/// one of whose sides takes its end while the other does not, or "would be allowed if dc01 published dns (rule ...)"
/// for a listener row whose sides both take the ends. Only what would make the rule allow the flow is said: a rule whose
/// features do not apply between the two hosts (a condition enabled on neither, an <c>unless</c> one on either) explains
/// nothing, since no role changes them, and a listener row explains an Internet client's flow by a role only together with
/// the publication it needs ("if dc01 had role terminal-server and published rdp"). A role is only ever proposed for a
/// host the inventory names: an Internet address or a subnet broadcast gets none.
/// </summary>
public static class RoleExplanation
{
    /// <summary>
    /// The first explanation among the rules <paramref name="candidates"/> keeps, trying them in catalog order; null when
    /// no single role (with the publication a listener row needs) or publication would allow the flow.
    /// </summary>
    public static string? Find(RuleIndex index, Inventory inventory, Func<Rule, bool> candidates, AuditEndpoint client, AuditEndpoint server) =>
        First(inventory, index.Sides(candidates, client.Roles, server.Roles), client, server);

    private static string? First(Inventory inventory, IEnumerable<(Rule Rule, bool Client, bool Server)> sides,
        AuditEndpoint client, AuditEndpoint server, AppLabel? app = null, AppLabel? carried = null)
    {
        foreach (var (rule, fromTakes, toTakes) in sides)
        {
            if (!fromTakes && !toTakes) continue;
            // A rule whose protocol inspection contradicts (its label, or the application TLS carried) would make the flow
            // a mismatch, whatever the roles: not allowed.
            if (!ProtocolExpectations.AcceptsFound(rule.Protocol, app, carried)) continue;
            // Roles change no feature: a rule that does not apply between these two hosts would not allow the flow whatever
            // roles they played.
            if (!RuleConditions.Hold(inventory, rule, client, server, publication: false)) continue;
            bool unpublished = !Inventory.Admits(rule, server.Host, !client.ZoneListed);
            if (unpublished && server.Host is null) continue;
            if (fromTakes && toTakes)
            {
                if (unpublished) return $"would be allowed if {server.Host!.Name} published {rule.Protocol} (rule {rule.Id})";
                continue;
            }
            var (end, side) = fromTakes ? (server, rule.To) : (client, rule.From);
            if (Condition(end, side) is not { } condition) continue;
            // A listener row admits an Internet client only where the server publishes it: the role alone would not do.
            if (unpublished)
                condition += end == server ? $" and published {rule.Protocol}" : $" and {server.Host!.Name} published {rule.Protocol}";
            return $"would be allowed if {condition} (rule {rule.Id})";
        }
        return null;
    }

    /// <summary>
    /// What <paramref name="end"/> lacks to take <paramref name="side"/>: a role, for a host the inventory names; a name, for
    /// an address of a listed zone the side takes; null otherwise.
    /// </summary>
    private static string? Condition(AuditEndpoint end, RuleSide side)
    {
        var roles = side.Roles.ToList();
        if (end.Host is { } host && roles.Count > 0)
            return $"{host.Name} had role {string.Join(" or ", roles)}";
        var zones = side.Selectors.Select(RuleSide.ZoneOf).OfType<string>().ToList();
        if (end.Name is null && end.ZoneListed && zones.Contains(end.Zone))
            return $"the inventory named this {end.Zone} address";
        return null;
    }

    /// <summary>
    /// The explanation of <paramref name="flow"/>, on <paramref name="transport"/>, that no rule allows, from the
    /// fixed-port rules covering its server port whose protocol accepts what inspection found: its label and, inside TLS
    /// or DTLS, the application its server selected (<see cref="ProtocolExpectations.Carried"/>). HTTP/2 on LDAPS's port
    /// is explained by no LDAPS rule.
    /// </summary>
    public static string? ForPort(RuleIndex index, Inventory inventory, Transport transport, Flow flow,
        AuditEndpoint client, AuditEndpoint server) =>
        First(inventory, index.SidesAt(transport, flow.ServerPort, client.Roles, server.Roles), client, server, flow.App,
            ProtocolExpectations.Carried(flow));

    /// <summary>
    /// The explanation of an ICMP flow of <paramref name="type"/>/<paramref name="code"/> that no rule allows, from the
    /// rules on <paramref name="transport"/> that allow its message: an echo rule does not explain an unreachable.
    /// </summary>
    public static string? ForIcmp(RuleIndex index, Inventory inventory, Transport transport, byte type, byte code,
        AuditEndpoint client, AuditEndpoint server) =>
        Find(index, inventory, rule => rule.Transports.Contains(transport) && (rule.Icmp is not { } messages || IcmpMessage.Any(messages, type, code)),
            client, server);
}
