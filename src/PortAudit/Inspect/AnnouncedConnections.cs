using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Inspect;

/// <summary>
/// Something one flow said about a connection to come: an endpoint-mapper answer, an FTP PORT or PASV, a TFTP request,
/// an SSDP search.
/// When a new flow goes to the announced address and port, the announcement labels it and records its evidence.
/// </summary>
public interface IAnnouncement
{
    /// <summary>Capture time of the announcement, nanoseconds since the epoch.</summary>
    long TimeNs { get; }

    /// <summary>True when the flow's own bytes may still refine the label (a bind naming another interface).</summary>
    bool Refinable { get; }

    /// <summary>
    /// True when the announced endpoint also sends from where it receives (symmetric RTP, RFC 4961): a flow whose first
    /// packet comes from there is the announced one too, even before the other side's answer was read.
    /// </summary>
    bool Symmetric => false;

    /// <summary>Labels <paramref name="flow"/>, which went where the announcement said.</summary>
    void Apply(Flow flow);
}

/// <summary>
/// The connections announced and not yet seen, by address, port and transport: each is expected for a limited time of
/// capture time, and a later announcement of the same endpoint replaces an earlier one. One table serves every
/// protocol that announces the next connection, so that each reads its own messages and nothing else.
/// </summary>
public sealed class AnnouncedConnections : IAnnouncementLookup
{
    private readonly Dictionary<AnnouncedEndpoint, IAnnouncement> _live = new();
    private readonly long _lifetimeNs;

    /// <summary>Creates an empty table whose announcements expire after <paramref name="lifetime"/> of capture time.</summary>
    public AnnouncedConnections(TimeSpan lifetime) => _lifetimeNs = lifetime.Ticks * 100;

    /// <summary>Announcements held (expired ones are dropped when looked up).</summary>
    public int Count => _live.Count;

    /// <summary>
    /// Called with every announcement as it is made: a run split over shards hands them to the thread that merges the
    /// shards, which labels flows another shard announced (<c>Pipeline.Shards.AnnouncementHistory</c>).
    /// </summary>
    public Action<AnnouncedEndpoint, IAnnouncement>? Published { get; set; }

    /// <summary>Expects a connection to <paramref name="address"/>:<paramref name="port"/> over <paramref name="transport"/>.</summary>
    public void Announce(IpAddr address, ushort port, byte transport, IAnnouncement announcement)
    {
        var endpoint = new AnnouncedEndpoint(address, port, transport);
        _live[endpoint] = announcement;
        Published?.Invoke(endpoint, announcement);
    }

    /// <summary>
    /// Labels <paramref name="flow"/>, at its first packet, when that packet goes to a fresh announcement (or comes from a
    /// symmetric one); returns it, or null.
    /// </summary>
    public IAnnouncement? TryApply(Flow flow) => _live.Count == 0 ? null : Apply(FindFor(this, flow), flow);

    /// <summary>
    /// Labels <paramref name="flow"/> when a fresh announcement names its server's address and port: for a flow whose sides
    /// were learned from its content after its first packet. Returns it, or null.
    /// </summary>
    public IAnnouncement? TryApplyToServer(Flow flow) =>
        _live.Count == 0 ? null : Apply(TryFind(AnnouncedEndpoint.ServerOf(flow), flow, out var found) ? found : null, flow);

    /// <summary>
    /// The announcement a new flow answers, in the order one table looks: its first packet's destination, its server, then
    /// its first packet's source when the announcement is symmetric. Shared by a run's live table and a split run's history.
    /// </summary>
    internal static IAnnouncement? FindFor<TLookup>(TLookup table, Flow flow) where TLookup : IAnnouncementLookup
    {
        if (flow.Protocol is not (IpProtocol.Tcp or IpProtocol.Udp)) return null;
        var server = AnnouncedEndpoint.ServerOf(flow);
        var client = new AnnouncedEndpoint(flow.Client, flow.ClientPort, flow.Protocol);
        var (destination, source) = flow.FirstSentByServer ? (client, server) : (server, client);
        if (table.TryFind(destination, flow, out var found) || table.TryFind(server, flow, out found)
            || (table.TryFind(source, flow, out found) && found.Symmetric))
            return found;
        return null;
    }

    /// <summary>Applies <paramref name="found"/> to <paramref name="flow"/> and marks it announced; returns it.</summary>
    internal static IAnnouncement? Apply(IAnnouncement? found, Flow flow)
    {
        if (found is null) return null;
        found.Apply(flow);
        flow.Announced = true;
        return found;
    }

    /// <inheritdoc />
    public bool TryFind(AnnouncedEndpoint endpoint, Flow flow, out IAnnouncement found)
    {
        if (!_live.TryGetValue(endpoint, out found!)) return false;
        if (IsFresh(found, flow.StartNs, _lifetimeNs)) return true;
        if (flow.StartNs - found.TimeNs > _lifetimeNs) _live.Remove(endpoint);
        return false;
    }

    /// <summary>True when <paramref name="announcement"/> still stands for a flow that began at <paramref name="startNs"/>.</summary>
    internal static bool IsFresh(IAnnouncement announcement, long startNs, long lifetimeNs) =>
        startNs - announcement.TimeNs <= lifetimeNs && startNs >= announcement.TimeNs;

    /// <summary>The lifetime of an announcement, nanoseconds of capture time.</summary>
    internal long LifetimeNs => _lifetimeNs;
}

/// <summary>Where an announcement expects the next connection: an address, a port and a transport.</summary>
public readonly record struct AnnouncedEndpoint(IpAddr Address, ushort Port, byte Transport)
{
    /// <summary>The server end of <paramref name="flow"/>.</summary>
    public static AnnouncedEndpoint ServerOf(Flow flow) => new(flow.Server, flow.ServerPort, flow.Protocol);
}

/// <summary>Announcements by the endpoint they expect: the live table of one inspection, or a split run's history.</summary>
public interface IAnnouncementLookup
{
    /// <summary>The announcement that stands for <paramref name="flow"/> at <paramref name="endpoint"/>, if a fresh one does.</summary>
    bool TryFind(AnnouncedEndpoint endpoint, Flow flow, out IAnnouncement found);
}
