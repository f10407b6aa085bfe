using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// The addresses a rule side stands for in one inventory, for a least-privilege policy: a role is the prefixes of the hosts
/// that play it, <c>any</c> those of every host the inventory names, <c>any@ZONE</c> of a listed zone that zone's segments
/// and hosts. Only a zone whose hosts are not listed (the Internet) is any address: the side is then open (<see cref="Of"/>).
/// </summary>
internal sealed class RuleSideAddresses
{
    private readonly Inventory _inventory;
    private readonly IReadOnlyDictionary<string, bool> _listed;
    private readonly Dictionary<RuleSide, (IReadOnlyList<IpPrefix> Named, bool Open)> _sides = [];

    /// <summary>Addresses over <paramref name="inventory"/>; <paramref name="zones"/> are the catalog's and the inventory's.</summary>
    public RuleSideAddresses(Inventory inventory, IReadOnlyList<Zone> zones)
    {
        _inventory = inventory;
        _listed = zones.ToDictionary(z => z.Id, z => z.Listed, StringComparer.Ordinal);
    }

    /// <summary>
    /// The prefixes of the side's named hosts and listed zones, outermost only (<see cref="OutermostPrefixes"/>), and whether
    /// it also takes every address of an unlisted zone. Computed once per side: a policy asks again for every server of a rule.
    /// </summary>
    public (IReadOnlyList<IpPrefix> Named, bool Open) Of(RuleSide side)
    {
        if (!_sides.TryGetValue(side, out var addresses))
            _sides.Add(side, addresses = Compute(side));
        return addresses;
    }

    private (IReadOnlyList<IpPrefix> Named, bool Open) Compute(RuleSide side)
    {
        var named = new List<IpPrefix>();
        bool open = false;
        foreach (var selector in side.Selectors)
        {
            if (selector == RuleSide.Any)
                named.AddRange(_inventory.Hosts.SelectMany(h => h.Prefixes));
            else if (RuleSide.ZoneOf(selector) is { } zone)
            {
                // Unknown zones count as listed, as the audit counts them: nothing is opened by a zone nobody described.
                if (!_listed.GetValueOrDefault(zone, true)) open = true;
                else named.AddRange(Zone(zone));
            }
            else
                named.AddRange(_inventory.Hosts.Where(h => h.Plays.Contains(selector)).SelectMany(h => h.Prefixes));
        }
        return (OutermostPrefixes.Of(named), open);
    }

    /// <summary>True when the host is in the internal zone, where nothing is open to any source unless published.</summary>
    public bool IsInternal(InventoryHost host) => _inventory.ZoneOf(host) == Catalog.Zone.Internal;

    // A listed zone is its segments and the hosts the inventory places in it (a host may sit outside every segment).
    private IEnumerable<IpPrefix> Zone(string zone) =>
        _inventory.Segments.Where(s => s.Zone == zone).SelectMany(s => s.Prefixes)
            .Concat(_inventory.Hosts.Where(h => _inventory.ZoneOf(h) == zone).SelectMany(h => h.Prefixes));
}
