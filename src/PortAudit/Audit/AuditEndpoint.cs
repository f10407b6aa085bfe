using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Audit;

/// <summary>
/// One end of a flow as the inventory sees it: the host entry that holds the address (if any), the segment and
/// zone of an address no host holds, and the roles to match rules with (the wildcards <c>any</c> and
/// <c>any@ZONE</c> included, as <see cref="RuleIndex.CreateEndpointSet"/> decides). A subnet broadcast of an inventory prefix
/// that no host entry holds is an end of its own (<see cref="Broadcast"/>): no host, the roles of the hosts it reaches.
/// </summary>
public sealed class AuditEndpoint
{
    private AuditEndpoint(InventoryHost? host, InventorySegment? segment, string zone, bool zoneListed, RoleSet roles, bool ignored,
        BroadcastReach? broadcast = null)
    {
        Host = host;
        Segment = segment;
        Zone = zone;
        ZoneListed = zoneListed;
        Roles = roles;
        Ignored = ignored;
        Broadcast = broadcast;
        RoleLabel = ignored ? "(ignored)"
            : host is not null ? string.Join('+', host.Roles)
            : broadcast is not null ? broadcast.Label
            : segment is not null ? $"(unmapped:{segment.Name})"
            : $"(unmapped@{zone})";
    }

    /// <summary>The inventory entry, or null for an address the inventory does not name.</summary>
    public InventoryHost? Host { get; }

    /// <summary>The segment of an unnamed address, when a segment holds it.</summary>
    public InventorySegment? Segment { get; }

    /// <summary>The zone of the end: the host's, else its segment's, else the address's default.</summary>
    public string Zone { get; }

    /// <summary>True when the zone's hosts are expected in the inventory, so an unnamed address there is out of place.</summary>
    public bool ZoneListed { get; }

    /// <summary>The roles and wildcards the end matches rules with.</summary>
    public RoleSet Roles { get; }

    /// <summary>True for addresses on the ignore list.</summary>
    public bool Ignored { get; }

    /// <summary>For a flow's server end that is the subnet broadcast of an inventory prefix: the hosts it reaches; else null.</summary>
    public BroadcastReach? Broadcast { get; }

    /// <summary>True when the inventory accounts for the end: a host entry, or a subnet broadcast reaching inventory hosts.</summary>
    public bool IsNamed => Host is not null || Broadcast is not null;

    /// <summary>
    /// The roles joined by '+', or "(broadcast:SEGMENT ADDRESS)", "(unmapped:SEGMENT)", "(unmapped@ZONE)", "(ignored)": the
    /// key of role-pair statistics.
    /// </summary>
    public string RoleLabel { get; }

    /// <summary>The name reports give a named end: the host's, or a broadcast's label; null for unnamed addresses.</summary>
    public string? Name => Host?.Name ?? Broadcast?.Label;

    /// <summary>Host roles (for a broadcast, those of the hosts it reaches), empty for unnamed addresses.</summary>
    public IReadOnlyList<string> RoleIds => Host?.Roles ?? Broadcast?.RoleIds ?? [];

    /// <summary>The host's prefixes, a broadcast's address, or none for unnamed addresses: what display filters name the end by.</summary>
    public IReadOnlyList<IpPrefix> Prefixes => Host?.Prefixes ?? Broadcast?.Prefixes ?? [];

    /// <summary>Resolves addresses once per host entry, segment and zone, so that classifying a flow allocates nothing.</summary>
    public sealed class Resolver
    {
        private readonly Inventory _inventory;
        private readonly RuleIndex _index;
        private readonly IReadOnlyDictionary<string, bool> _listedZones;
        private readonly Dictionary<InventoryHost, AuditEndpoint> _hosts = [];
        // Per segment and zone: a segment without a zone holds addresses of several zones (a catch-all 0.0.0.0/0 holds
        // private and public ones), each keeping its own.
        private readonly Dictionary<(InventorySegment, string), AuditEndpoint> _segments = [];
        private readonly Dictionary<string, AuditEndpoint> _zones = new(StringComparer.Ordinal);
        private readonly BroadcastDomains _broadcasts;
        // Per broadcast address and client host (null for an unnamed client): the end it reaches, or null when it reaches none.
        private readonly Dictionary<(IpAddr, InventoryHost?), AuditEndpoint?> _broadcastEnds = [];
        private readonly AuditEndpoint _ignored;

        /// <summary>
        /// Builds the endpoints of every inventory entry with role sets over <paramref name="index"/>;
        /// <paramref name="zones"/> tells which zones list their hosts (the catalog's and the inventory's own);
        /// <paramref name="broadcasts"/> are the inventory's subnet broadcasts (found from the inventory when null).
        /// </summary>
        public Resolver(Inventory inventory, RuleIndex index, IReadOnlyDictionary<string, bool> zones, BroadcastDomains? broadcasts = null)
        {
            _inventory = inventory;
            _index = index;
            _listedZones = zones;
            _broadcasts = broadcasts ?? new BroadcastDomains(inventory);
            foreach (var host in inventory.Hosts)
            {
                string zone = inventory.ZoneOf(host);
                _hosts[host] = new AuditEndpoint(host, null, zone, Listed(zone),
                    index.CreateEndpointSet(host.Plays, named: true, zone, Listed(zone)), false);
            }
            _ignored = new AuditEndpoint(null, null, Catalog.Zone.Internal, true, index.CreateRoleSet([]), true);
        }

        /// <summary>The inventory the addresses are resolved against.</summary>
        public Inventory Inventory => _inventory;

        /// <summary>The endpoint of <paramref name="address"/>: ignored first, then the most specific host, then the segment or zone.</summary>
        public AuditEndpoint Resolve(IpAddr address)
        {
            if (_inventory.IsIgnored(address))
                return _ignored;
            if (_inventory.FindHost(address) is { } host)
                return _hosts[host];
            var segment = _inventory.FindSegment(address);
            // The most specific segment names the zone when it has one; only a zoneless segment's addresses look further.
            string zone = segment?.Zone ?? _inventory.ZoneOf(address);
            if (segment is not null)
            {
                if (!_segments.TryGetValue((segment, zone), out var inSegment))
                    _segments[(segment, zone)] = inSegment = Unnamed(segment, zone);
                return inSegment;
            }
            if (!_zones.TryGetValue(zone, out var unnamed))
                _zones[zone] = unnamed = Unnamed(null, zone);
            return unnamed;
        }

        /// <summary>
        /// The endpoint of a flow's server: as <see cref="Resolve"/>, except for the subnet broadcast of an inventory prefix
        /// that no host entry holds, which stands for the inventory hosts inside the prefix other than
        /// <paramref name="client"/> (a host group the client belongs to still counts: its other members receive it). When
        /// it reaches none, the address stays unnamed. The limited broadcast 255.255.255.255 and multicast groups stay unnamed
        /// too: which hosts receive them is not something the inventory says.
        /// </summary>
        public AuditEndpoint ResolveServer(IpAddr address, AuditEndpoint client)
        {
            var end = Resolve(address);
            if (end.Host is not null || end.Ignored || !_broadcasts.TryFind(address, out var domain))
                return end;
            var key = (address, client.Host);
            if (!_broadcastEnds.TryGetValue(key, out var reached))
                _broadcastEnds[key] = reached = Reaching(domain, client.Host, end);
            return reached ?? end;
        }

        /// <summary>True when <paramref name="address"/> is the subnet broadcast of an inventory prefix (<see cref="ResolveServer"/>).</summary>
        public bool IsSubnetBroadcast(IpAddr address) => _broadcasts.Contains(address);

        private AuditEndpoint? Reaching(BroadcastDomain domain, InventoryHost? client, AuditEndpoint unnamed)
        {
            var hosts = domain.Hosts.Where(h => h != client || !h.Prefixes.All(p => p.IsSingleAddress)).ToArray();
            if (hosts.Length == 0)
                return null;
            var roles = RoleSet.Union(hosts.Select(h => _hosts[h].Roles).ToArray());
            return new AuditEndpoint(null, unnamed.Segment, unnamed.Zone, unnamed.ZoneListed, roles, false, new BroadcastReach(domain, hosts));
        }

        // Unknown zones count as listed: an address in a zone nobody described is not silently allowed.
        private bool Listed(string zone) => _listedZones.GetValueOrDefault(zone, true);

        private AuditEndpoint Unnamed(InventorySegment? segment, string zone) =>
            new(null, segment, zone, Listed(zone), _index.CreateEndpointSet([], named: false, zone, Listed(zone)), false);
    }
}
