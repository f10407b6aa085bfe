using System.Text.Json;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Audit.Firewall;

/// <summary>
/// The least-privilege policy of a deployment: the catalog's rules that apply to the inventory, one allow rule per rule
/// instance, transport and address family, narrowed to the instances an audit saw when its report is given; in a stable
/// order (server, port, transport, rule, client) so that two versions diff line by line. A wildcard side is the addresses it
/// stands for (<see cref="RuleSideAddresses"/>): no rule admits any source to any destination, and an internal host is open
/// to any source only for what the inventory publishes on it.
/// </summary>
public static class LeastPrivilege
{
    /// <summary>The allow rules for <paramref name="context"/>; <paramref name="observedReport"/>: a report.json whose seen instances only are kept.</summary>
    /// <exception cref="InputException">The report cannot be read.</exception>
    public static IReadOnlyList<AllowRule> For(AuditContext context, string? observedReport = null) => Plan(context, observedReport).Rules;

    /// <summary>
    /// The allow rules for <paramref name="context"/>, and the instances left out because their sides have no address pair
    /// of a family the protocol runs over; <paramref name="observedReport"/>: a report.json whose seen instances only are kept.
    /// </summary>
    /// <exception cref="InputException">The report cannot be read.</exception>
    public static LeastPrivilegePolicy Plan(AuditContext context, string? observedReport = null)
    {
        var seen = observedReport is null ? null : SeenInstances(observedReport);
        var tracker = new CoverageTracker(context.Inventory, context.Index.Rules);
        var hosts = context.Inventory.Hosts.GroupBy(h => h.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var sides = new RuleSideAddresses(context.Inventory, context.Zones);
        var rules = new List<AllowRule>();
        var omitted = new List<OmittedRule>();
        foreach (var entry in tracker.Entries)
        {
            if (seen is not null && !seen.Contains((entry.Rule.Id, entry.FromHost, entry.ToHost))) continue;
            string seed = entry.Rule.Source.Citation;
            foreach (var (toHost, to, server) in Servers(entry, hosts, sides, context.Inventory))
            {
                var from = entry.FromHost == CoverageEntry.AnyHost ? Clients(entry.Rule, server, sides) : hosts.GetValueOrDefault(entry.FromHost)?.Prefixes;
                // Nothing the inventory names may open it (a zone without hosts, the Internet at an unpublished listener),
                // or both sides would be any address: no rule, rather than one that admits the world.
                if (from is { Count: 0 } || (from is null && to is null)) continue;
                foreach (var transport in entry.Rule.Transports)
                {
                    byte protocol = (byte)transport;
                    int before = rules.Count;
                    foreach (var (fromFamily, toFamily) in AddressFamilies.Pairs(from, to, protocol))
                        rules.Add(new AllowRule(entry.Rule.Id, seed, entry.FromHost, toHost, protocol, fromFamily, toFamily,
                            entry.Rule.Ports.OrderBy(p => p.Low).ToList()) { Icmp = entry.Rule.Icmp ?? [], ServerNames = entry.Rule.ServerNames ?? [] });
                    if (rules.Count == before) omitted.Add(new OmittedRule(entry.Rule.Id, seed, entry.FromHost, toHost, protocol));
                }
            }
        }
        return new LeastPrivilegePolicy(
            rules.OrderBy(r => r.ToHost, StringComparer.Ordinal).ThenBy(r => r.Ports.Count == 0 ? 0 : r.Ports[0].Low).ThenBy(r => r.Protocol)
                .ThenBy(r => r.CatalogRule, StringComparer.Ordinal).ThenBy(r => r.FromHost, StringComparer.Ordinal)
                .ThenBy(r => r.From?.FirstOrDefault().Network.IsV4 == false)
                .ToList(),
            omitted.OrderBy(r => r.ToHost, StringComparer.Ordinal).ThenBy(r => r.Protocol)
                .ThenBy(r => r.CatalogRule, StringComparer.Ordinal).ThenBy(r => r.FromHost, StringComparer.Ordinal)
                .ToList());
    }

    /// <summary>
    /// The servers of an instance: its host; for an instance aggregated over many hosts, each host of the side's roles
    /// (whether the Internet may reach it is decided host by host); for a wildcard side, the addresses it stands for (null:
    /// the Internet, for the rules that reach out to it).
    /// </summary>
    private static IEnumerable<(string Name, IReadOnlyList<IpPrefix>? To, InventoryHost? Host)> Servers(
        CoverageEntry entry, Dictionary<string, InventoryHost> hosts, RuleSideAddresses sides, Inventory inventory)
    {
        if (entry.ToHost != CoverageEntry.AnyHost)
        {
            if (hosts.GetValueOrDefault(entry.ToHost) is { } host) yield return (host.Name, host.Prefixes, host);
            yield break;
        }
        if (!entry.Rule.To.HasWildcard)
        {
            foreach (var host in inventory.Hosts.Where(h => entry.Rule.To.Roles.Any(h.Plays.Contains) && inventory.Applies(entry.Rule, null, h)))
                yield return (host.Name, host.Prefixes, host);
            yield break;
        }
        var (named, open) = sides.Of(entry.Rule.To);
        if (open) yield return (CoverageEntry.AnyHost, null, null);
        else if (named.Count > 0) yield return (CoverageEntry.AnyHost, named, null);
    }

    /// <summary>
    /// The clients of a wildcard side, null for any address: a side with the Internet in it is any address only where the
    /// server publishes the rule, or where the rule is written for the Internet (not a listener row) and the server is
    /// outside the internal zone. Anywhere else the side is the hosts and listed zones it names (any@internal: the
    /// inventory's internal segments and hosts), so no internal host the inventory does not publish is open to any source.
    /// </summary>
    private static IReadOnlyList<IpPrefix>? Clients(Rule rule, InventoryHost? server, RuleSideAddresses sides)
    {
        var (named, open) = sides.Of(rule.From);
        if (open && server is not null && (server.Publishes(rule) || (!rule.PublishedOnly && !sides.IsInternal(server))))
            return null;
        return named;
    }

    // (rule, fromHost, toHost) of the coverage entries a report.json shows seen.
    private static HashSet<(string, string, string)> SeenInstances(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "report.json") : path;
        byte[] bytes = [];
        try
        {
            bytes = File.ReadAllBytes(file);
            using var document = JsonDocument.Parse(bytes);
            var fields = new JsonFields(file);
            if (document.RootElement is not { ValueKind: JsonValueKind.Object } root || !root.TryGetProperty("coverage", out _))
                throw new InputException($"{file}: not the report.json of an audit: it has no 'coverage'");
            return fields.List(root, "coverage", "the report")
                .Select((e, i) => (Entry: e, Where: $"coverage[{i}]"))
                .Where(e => fields.Text(e.Entry, "status", e.Where) == "seen")
                .Select(e => (Named(fields, e.Entry, "rule", e.Where), Named(fields, e.Entry, "fromHost", e.Where), Named(fields, e.Entry, "toHost", e.Where)))
                .ToHashSet();
        }
        catch (JsonException e)
        {
            // The parser's own words name a zero-based line and a byte within it: the offset in the file is what one seeks.
            throw new InputException($"{file}: {JsonSyntax.Describe(bytes, e)}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{file}: cannot read the report: {e.Message}", e);
        }
    }

    private static string Named(JsonFields fields, JsonElement entry, string name, string where) =>
        fields.Text(entry, name, where) ?? throw fields.Fault(where, $"'{name}' must name a rule or host, is null");
}
