using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Sources;

namespace PortAudit.Pipeline;

/// <summary>
/// Reads traffic and drafts an inventory: per address what it served and initiated, its names (DNS, NetBIOS, Kerberos,
/// NTLM challenges, rootDSEs, TLS SNI and certificates, SIP), then a role set from <see cref="RoleSetModel"/>. See docs/audit.md, "Drafting an inventory".
/// </summary>
public static class InventoryDraftRun
{
    /// <summary>What the traffic of <paramref name="sources"/> showed of each address, and the Kerberos realms seen.</summary>
    public static (IReadOnlyList<HostEvidence> Hosts, IReadOnlyList<string> Realms, TrafficSummary Traffic) Collect(
        IReadOnlyList<IFlowSource> sources, RoleCatalog catalog, FlowTableOptions flowOptions, CancellationToken cancel = default)
    {
        var names = new HostNameCollector();
        var traffic = new HostTrafficCollector();
        var run = new TrafficRun(flowOptions with { ServerPorts = new CatalogServerPortHint(new RuleIndex(catalog)) }, names, traffic);
        // What a stop leaves is not written, so the work after the read is abandoned at once too.
        run.Read(sources, cancel, abandon: cancel);
        return (OwnDomains.Mark(traffic.Hosts(names)), names.Realms.ToList(), run.Summary);
    }

    /// <summary>
    /// Drafts the entries <paramref name="existing"/> lacks (every host seen when it is null): addresses it names or
    /// ignores are left out, and drafted names never repeat its names.
    /// </summary>
    public static (InventoryDraft Draft, TrafficSummary Traffic) Draft(
        IReadOnlyList<IFlowSource> sources, RoleCatalog catalog, Inventory? existing, FlowTableOptions flowOptions, RoleSetModel? model = null,
        CancellationToken cancel = default)
    {
        var (hosts, realms, summary) = Collect(sources, catalog, flowOptions, cancel);
        var drafter = new InventoryDrafter(model ?? RoleSetModel.Default, new RoleEvidenceIndex(catalog));
        var (drafted, unlisted) = drafter.Draft(hosts,
            existing is null ? null : address => existing.FindHost(address) is not null || existing.IsIgnored(address),
            existing?.Hosts.Select(h => h.Name).ToList(), existing is null ? null : address => existing.FindHost(address)?.Roles);
        return (new InventoryDraft(drafted, realms)
        {
            UnlistedInternet = unlisted.Where(h => !h.OtherOrganisation).Select(h => h.Address).ToList(),
            OtherOrganisations = unlisted.Where(h => h.OtherOrganisation).Select(h => h.Address).ToList(),
            OwnOrganisations = OwnDomains.Of(hosts),
        }, summary);
    }
}
