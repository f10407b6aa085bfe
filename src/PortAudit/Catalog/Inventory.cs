using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Catalog;

/// <summary>
/// A host of the deployment, or a group of hosts that play the same roles (a client subnet).
/// </summary>
/// <param name="Name">Name used in reports.</param>
/// <param name="Prefixes">Its addresses and subnets.</param>
/// <param name="Roles">Catalog role ids, in the order written.</param>
public sealed record InventoryHost(string Name, IReadOnlyList<IpPrefix> Prefixes, IReadOnlyList<string> Roles)
{
    private readonly IReadOnlyList<string>? _plays;

    /// <summary>
    /// The roles rules are matched with: <see cref="Roles"/> and every role they imply in the catalog
    /// (<see cref="RoleCatalog.Closure"/>; a Front End also takes the rules of lync-server). The loader sets it; without, <see cref="Roles"/>.
    /// </summary>
    public IReadOnlyList<string> Plays { get => _plays ?? Roles; init => _plays = value; }

    /// <summary>The zone the inventory gives the host; null to take its segment's, or the address's default.</summary>
    public string? Zone { get; init; }

    /// <summary>
    /// Features enabled on this host alone (one Exchange server with POP3, one Edge federating): a rule conditioned on
    /// them applies to the pairs this host is an end of.
    /// </summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>The RPC dynamic range this host hands out (Unity's 5000-5020 beside Windows' 49152-65535); null for the deployment's.</summary>
    public PortRange? RpcDynamicPorts { get; init; }

    /// <summary>
    /// What the host offers to the Internet (<c>published:</c>): catalog protocol names (rdp, https, smtp) and rule ids. A
    /// listener row (<see cref="Rule.PublishedOnly"/>) admits an external client only to a host that publishes it.
    /// </summary>
    public IReadOnlyList<string> Published { get; init; } = [];

    /// <summary>True when the host publishes <paramref name="rule"/>: its protocol or its id is among <see cref="Published"/>.</summary>
    public bool Publishes(Rule rule) => Published.Contains(rule.Protocol) || Published.Contains(rule.Id);

    /// <summary>True when the entry stands for exactly one address, so it cannot talk to itself across a firewall.</summary>
    public bool IsSingleAddress => Prefixes.Count == 1 && Prefixes[0].IsSingleAddress;
}

/// <summary>A named part of the network, in a zone, used to place hosts and the addresses the inventory does not name.</summary>
/// <param name="Name">Segment name.</param>
/// <param name="Prefixes">Its subnets.</param>
public sealed record InventorySegment(string Name, IReadOnlyList<IpPrefix> Prefixes)
{
    /// <summary>The zone of the segment (internal, perimeter, external or one the inventory defines); null for the address's default.</summary>
    public string? Zone { get; init; }
}

/// <summary>
/// What a user states about one deployment: its hosts and their roles, its network segments, the features
/// (catalog conditions) it enables, the RPC dynamic port range in force, and addresses to leave out.
/// Built by <see cref="InventoryLoader"/>, which guarantees every role and feature exists in the catalog.
/// </summary>
public sealed class Inventory
{
    private readonly AddressMap<InventoryHost> _hosts = new();
    private readonly AddressMap<InventorySegment> _segments = new();
    // Only segments that name a zone place addresses in one: a segment without a zone (a catch-all 0.0.0.0/0 given a
    // name for reports) must not move the hosts in it out of the zone they would have had without it.
    private readonly AddressMap<InventorySegment> _zonedSegments = new();
    private readonly AddressMap<bool> _ignored = new();

    /// <summary>Creates an inventory; a prefix given twice keeps its first entry (the loader reports conflicts).</summary>
    public Inventory(
        IReadOnlyList<InventoryHost> hosts,
        IReadOnlyList<InventorySegment> segments,
        IReadOnlyList<string> features,
        PortRange? rpcDynamicPorts,
        IReadOnlyList<IpPrefix> ignore)
    {
        Hosts = hosts;
        Segments = segments;
        Features = features;
        RpcDynamicPorts = rpcDynamicPorts;
        Ignore = ignore;
        foreach (var host in hosts)
            foreach (var prefix in host.Prefixes)
                _hosts.TryAdd(prefix, host, out _);
        foreach (var segment in segments)
            foreach (var prefix in segment.Prefixes)
            {
                _segments.TryAdd(prefix, segment, out _);
                if (segment.Zone is not null)
                    _zonedSegments.TryAdd(prefix, segment, out _);
            }
        Warnings = segments.Where(s => s.Zone is null).Select(ZonelessSegmentWarning).ToArray();
        foreach (var prefix in ignore)
            _ignored.TryAdd(prefix, true, out _);
    }

    /// <summary>Zones the inventory defines beyond the catalog's, with whether their hosts are listed.</summary>
    public IReadOnlyList<Zone> Zones { get; init; } = [];

    /// <summary>
    /// What the inventory allows but the user should know, one sentence each (a segment without a zone, which places
    /// no address in a zone). The library writes nowhere: the caller shows them (the CLI logs them as warnings).
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Hosts and host groups in file order.</summary>
    public IReadOnlyList<InventoryHost> Hosts { get; }

    /// <summary>Segments in file order.</summary>
    public IReadOnlyList<InventorySegment> Segments { get; }

    /// <summary>Enabled catalog features.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>The RPC dynamic range in force, replacing the catalog's default; null keeps the default.</summary>
    public PortRange? RpcDynamicPorts { get; }

    /// <summary>Addresses and subnets whose flows the audit leaves out (broadcast, monitoring probes...).</summary>
    public IReadOnlyList<IpPrefix> Ignore { get; }

    /// <summary>The most specific host entry holding <paramref name="address"/>, or null.</summary>
    public InventoryHost? FindHost(IpAddr address) => _hosts.TryFind(address, out var host) ? host : null;

    /// <summary>
    /// The zone of <paramref name="address"/> when no host entry says otherwise: the zone of the most specific segment
    /// holding it that names one, else <see cref="DefaultZone"/>. A segment without a zone is skipped, so it never
    /// changes an address's zone.
    /// </summary>
    public string ZoneOf(IpAddr address) =>
        _zonedSegments.TryFind(address, out var segment) ? segment.Zone! : DefaultZone(address);

    /// <summary>The zone of <paramref name="host"/>: its own, else that of the segment holding its first address, else the default.</summary>
    public string ZoneOf(InventoryHost host) =>
        host.Zone ?? (host.Prefixes.Count > 0 ? ZoneOf(host.Prefixes[0].Network) : Catalog.Zone.Internal);

    /// <summary>
    /// The zone of an address no segment places: private, shared (CGNAT), link-local, loopback and multicast addresses
    /// are internal, every other address external. An inventory without segments thus still tells the Internet from
    /// its own networks.
    /// </summary>
    public static string DefaultZone(IpAddr address) =>
        IpPrefix.IsPrivateUse(address) ? Catalog.Zone.Internal : Catalog.Zone.External;

    /// <summary>The warning for a segment without a zone, naming it and its prefixes, and saying what its addresses get instead.</summary>
    private static string ZonelessSegmentWarning(InventorySegment segment) =>
        $"segment '{segment.Name}' ({string.Join(", ", segment.Prefixes)}) has no zone: it places no address in a zone; " +
        "its addresses keep the zone of the most specific segment with one, else their own (private-use internal, others external)";

    /// <summary>The most specific segment holding <paramref name="address"/>, or null.</summary>
    public InventorySegment? FindSegment(IpAddr address) => _segments.TryFind(address, out var segment) ? segment : null;

    /// <summary>True when flows of <paramref name="address"/> are to be left out.</summary>
    public bool IsIgnored(IpAddr address) => _ignored.TryFind(address, out _);

    /// <summary>
    /// True when <paramref name="rule"/> applies between the two hosts (null for an end the inventory does not name):
    /// each condition enabled for the deployment or on either host, no <c>unless</c> feature enabled on either.
    /// </summary>
    public bool Applies(Rule rule, InventoryHost? client, InventoryHost? server) =>
        rule.AppliesTo(Features, client?.Features ?? [], server?.Features ?? []);

    /// <summary>
    /// True when <paramref name="rule"/> admits a client of an unlisted zone (the Internet: <paramref name="externalClient"/>)
    /// to <paramref name="server"/>: always for a rule written for the Internet, and for a listener row only when the server
    /// publishes it. Clients of listed zones are the rule's sides' business alone.
    /// </summary>
    public static bool Admits(Rule rule, InventoryHost? server, bool externalClient) =>
        !externalClient || !rule.PublishedOnly || server?.Publishes(rule) == true;

    /// <summary>Every feature enabled anywhere: for the deployment or on some host.</summary>
    public IReadOnlyCollection<string> AllFeatures => Features.Concat(Hosts.SelectMany(h => h.Features)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The catalog as this deployment sees it: dynamic-range rules narrowed to its RPC range.</summary>
    public RoleCatalog Apply(RoleCatalog catalog) =>
        RpcDynamicPorts is { } range ? catalog.WithDynamicRange(range) : catalog;
}
