using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Sources;

namespace PortAudit.Pipeline;

/// <summary>
/// Reads traffic and suggests catalog roles for the hosts an inventory does not name yet, from the ports and
/// protocols they served.
/// </summary>
public static class RoleSuggestionRun
{
    /// <summary>
    /// Suggests up to <paramref name="top"/> roles for every host that served something and is neither in
    /// <paramref name="inventory"/> nor ignored by it (every host when it is null).
    /// </summary>
    public static (IReadOnlyList<HostSuggestion> Hosts, TrafficSummary Traffic) Suggest(
        IReadOnlyList<IFlowSource> sources, RoleCatalog catalog, Inventory? inventory, FlowTableOptions flowOptions, int top,
        CancellationToken cancel = default)
    {
        var collector = new ServedTrafficCollector(address =>
            inventory is null || (inventory.FindHost(address) is null && !inventory.IsIgnored(address)));
        var run = new TrafficRun(flowOptions with { ServerPorts = new CatalogServerPortHint(new RuleIndex(catalog)) }, collector);
        // What a stop leaves is not written, so the work after the read is abandoned at once too.
        run.Read(sources, cancel, abandon: cancel);
        var suggester = new RoleSuggester(catalog);
        var hosts = collector.Hosts
            .Select(h => new HostSuggestion(h.Address, h.Services, suggester.Suggest(h.Services, top)))
            .ToList();
        return (hosts, run.Summary);
    }
}
