using PortAudit.Catalog;

namespace PortAudit.Audit;

/// <summary>
/// The catalog as one deployment sees it: dynamic ranges narrowed to the inventory's RPC range, rules whose
/// conditions the inventory does not enable left out, and every inventory entry resolved to its roles.
/// </summary>
public sealed class AuditContext
{
    private AuditContext(RoleCatalog catalog, Inventory inventory)
    {
        Inventory = inventory;
        Catalog = inventory.Apply(catalog);
        // Rules some pair may need: conditions enabled somewhere (per-host features count), no unless-feature enabled for
        // the whole deployment; which pairs a rule applies to is decided per flow (Inventory.Applies).
        var anywhere = inventory.AllFeatures;
        Index = new RuleIndex(Catalog, rule => rule.Conditions.All(anywhere.Contains) && !rule.Unless.Any(inventory.Features.Contains));
        Zones = Catalog.Zones.Concat(inventory.Zones).GroupBy(z => z.Id).Select(g => g.First()).ToArray();
        Broadcasts = new BroadcastDomains(inventory);
        Resolver = new AuditEndpoint.Resolver(inventory, Index, Zones.ToDictionary(z => z.Id, z => z.Listed), Broadcasts);
        ServerPorts = new CatalogServerPortHint(Index);
        Silence = new SilencePolicy(Broadcasts);
    }

    /// <summary>Prepares the audit of <paramref name="inventory"/> against <paramref name="catalog"/>.</summary>
    public static AuditContext Create(RoleCatalog catalog, Inventory inventory) => new(catalog, inventory);

    /// <summary>The deployment's inventory.</summary>
    public Inventory Inventory { get; }

    /// <summary>The catalog with the inventory's RPC range applied.</summary>
    public RoleCatalog Catalog { get; }

    /// <summary>The catalog's zones and those the inventory adds.</summary>
    public IReadOnlyList<Zone> Zones { get; }

    /// <summary>The rules that apply to the deployment's features.</summary>
    public RuleIndex Index { get; }

    /// <summary>The subnet broadcasts of the inventory's prefixes, with the hosts each reaches.</summary>
    public BroadcastDomains Broadcasts { get; }

    /// <summary>Addresses to inventory endpoints.</summary>
    public AuditEndpoint.Resolver Resolver { get; }

    /// <summary>Server-port hint for the flow table, from the catalog's fixed ports.</summary>
    public CatalogServerPortHint ServerPorts { get; }

    /// <summary>Which unanswered flows are failed attempts, with the subnet broadcasts of the inventory's prefixes.</summary>
    public SilencePolicy Silence { get; }
}
