using PortAudit.Catalog;

namespace PortAudit.Audit;

/// <summary>
/// Whether a rule's conditions hold between the two ends of a flow as the inventory has them: its features enabled for
/// the deployment or on either host and none of its <c>unless</c> ones (<see cref="Inventory.Applies"/>), and, for a client
/// of a zone whose hosts are not listed (the Internet), a listener row published by the server (<see cref="Inventory.Admits"/>).
/// A subnet broadcast's server end holds them when one of the hosts it reaches does.
/// </summary>
public static class RuleConditions
{
    /// <summary>
    /// True when <paramref name="rule"/> applies between <paramref name="client"/> and <paramref name="server"/>; with
    /// <paramref name="publication"/> false, whether the server publishes a listener row is left out (what would explain a
    /// flow asks it apart).
    /// </summary>
    public static bool Hold(Inventory inventory, Rule rule, AuditEndpoint client, AuditEndpoint server, bool publication = true)
    {
        bool external = publication && !client.ZoneListed;
        if (server.Broadcast is not { } reach)
            return inventory.Applies(rule, client.Host, server.Host) && Inventory.Admits(rule, server.Host, external);
        foreach (var host in reach.Hosts)
            if (inventory.Applies(rule, client.Host, host) && Inventory.Admits(rule, host, external))
                return true;
        return false;
    }
}
