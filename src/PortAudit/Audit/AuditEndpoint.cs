using PortAudit.Catalog;
using PortAudit.Decode;

namespace PortAudit.Audit;

/// <summary>
/// One end of a flow as the inventory sees it: the host entry that holds the address (if any), the segment
/// of an address no host holds, and the roles to match rules with.
/// </summary>
public sealed class AuditEndpoint
{
    private AuditEndpoint(InventoryHost? host, InventorySegment? segment, RoleSet roles, bool ignored)
    {
        Host = host;
        Segment = segment;
        Roles = roles;
        Ignored = ignored;
        RoleLabel = ignored ? "(ignored)"
            : host is not null ? string.Join('+', host.Roles)
            : segment is not null ? $"(unmapped:{segment.Name})"
            : "(unmapped)";
    }

    /// <summary>The inventory entry, or null for an address the inventory does not name.</summary>
    public InventoryHost? Host { get; }

    /// <summary>The segment of an unnamed address, when a segment holds it.</summary>
    public InventorySegment? Segment { get; }

    /// <summary>The host's roles; empty for unnamed addresses, which only <c>any</c> rules match.</summary>
    public RoleSet Roles { get; }

    /// <summary>True for addresses on the ignore list.</summary>
    public bool Ignored { get; }

    /// <summary>The roles joined by '+', or "(unmapped:SEGMENT)", "(unmapped)", "(ignored)": the key of role-pair statistics.</summary>
    public string RoleLabel { get; }

    /// <summary>Host roles, empty for unnamed addresses.</summary>
    public IReadOnlyList<string> RoleIds => Host?.Roles ?? [];

    /// <summary>The host name, or the address when the inventory does not name it.</summary>
    public string Describe(IpAddr address) => Host?.Name ?? address.ToString();

    /// <summary>Resolves addresses once per host entry and segment, so that classifying a flow allocates nothing.</summary>
    public sealed class Resolver
    {
        private readonly Inventory _inventory;
        private readonly Dictionary<InventoryHost, AuditEndpoint> _hosts = [];
        private readonly Dictionary<InventorySegment, AuditEndpoint> _segments = [];
        private readonly AuditEndpoint _unknown;
        private readonly AuditEndpoint _ignored;

        /// <summary>Builds the endpoints of every inventory entry with role sets over <paramref name="index"/>.</summary>
        public Resolver(Inventory inventory, RuleIndex index)
        {
            _inventory = inventory;
            var none = index.CreateRoleSet([]);
            foreach (var host in inventory.Hosts)
                _hosts[host] = new AuditEndpoint(host, null, index.CreateRoleSet(host.Roles), false);
            foreach (var segment in inventory.Segments)
                _segments[segment] = new AuditEndpoint(null, segment, none, false);
            _unknown = new AuditEndpoint(null, null, none, false);
            _ignored = new AuditEndpoint(null, null, none, true);
        }

        /// <summary>The endpoint of <paramref name="address"/>: ignored first, then the most specific host, then the segment.</summary>
        public AuditEndpoint Resolve(IpAddr address)
        {
            if (_inventory.IsIgnored(address))
                return _ignored;
            if (_inventory.FindHost(address) is { } host)
                return _hosts[host];
            return _inventory.FindSegment(address) is { } segment ? _segments[segment] : _unknown;
        }
    }
}
