using PortAudit.Catalog;
using PortAudit.Decode;

namespace PortAudit.Audit;

/// <summary>
/// One end of a flow as the inventory sees it: the host entry that holds the address (if any), the segment and
/// zone of an address no host holds, and the roles to match rules with (the wildcards <c>any</c> and
/// <c>any@ZONE</c> included, as <see cref="RuleIndex.CreateEndpointSet"/> decides).
/// </summary>
public sealed class AuditEndpoint
{
    private AuditEndpoint(InventoryHost? host, InventorySegment? segment, string zone, bool zoneListed, RoleSet roles, bool ignored)
    {
        Host = host;
        Segment = segment;
        Zone = zone;
        ZoneListed = zoneListed;
        Roles = roles;
        Ignored = ignored;
        RoleLabel = ignored ? "(ignored)"
            : host is not null ? string.Join('+', host.Roles)
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

    /// <summary>
    /// The roles joined by '+', or "(unmapped:SEGMENT)", "(unmapped@ZONE)", "(ignored)": the key of role-pair
    /// statistics.
    /// </summary>
    public string RoleLabel { get; }

    /// <summary>Host roles, empty for unnamed addresses.</summary>
    public IReadOnlyList<string> RoleIds => Host?.Roles ?? [];

    /// <summary>Resolves addresses once per host entry, segment and zone, so that classifying a flow allocates nothing.</summary>
    public sealed class Resolver
    {
        private readonly Inventory _inventory;
        private readonly RuleIndex _index;
        private readonly IReadOnlyDictionary<string, bool> _listedZones;
        private readonly Dictionary<InventoryHost, AuditEndpoint> _hosts = [];
        private readonly Dictionary<InventorySegment, AuditEndpoint> _segments = [];
        private readonly Dictionary<string, AuditEndpoint> _zones = new(StringComparer.Ordinal);
        private readonly AuditEndpoint _ignored;

        /// <summary>
        /// Builds the endpoints of every inventory entry with role sets over <paramref name="index"/>;
        /// <paramref name="zones"/> tells which zones list their hosts (the catalog's and the inventory's own).
        /// </summary>
        public Resolver(Inventory inventory, RuleIndex index, IReadOnlyDictionary<string, bool> zones)
        {
            _inventory = inventory;
            _index = index;
            _listedZones = zones;
            foreach (var host in inventory.Hosts)
            {
                string zone = inventory.ZoneOf(host);
                _hosts[host] = new AuditEndpoint(host, null, zone, Listed(zone),
                    index.CreateEndpointSet(host.Plays, named: true, zone, Listed(zone)), false);
            }
            foreach (var segment in inventory.Segments)
                _segments[segment] = Unnamed(segment, Inventory.ZoneOf(segment));
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
            if (_inventory.FindSegment(address) is { } segment)
                return _segments[segment];
            string zone = Inventory.DefaultZone(address);
            if (!_zones.TryGetValue(zone, out var unnamed))
                _zones[zone] = unnamed = Unnamed(null, zone);
            return unnamed;
        }

        // Unknown zones count as listed: an address in a zone nobody described is not silently allowed.
        private bool Listed(string zone) => _listedZones.GetValueOrDefault(zone, true);

        private AuditEndpoint Unnamed(InventorySegment? segment, string zone) =>
            new(null, segment, zone, Listed(zone), _index.CreateEndpointSet([], named: false, zone, Listed(zone)), false);
    }
}
