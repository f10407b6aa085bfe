using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Inspect;

/// <summary>
/// Something one flow said about a connection to come: an endpoint-mapper answer, an FTP PORT or PASV, a TFTP request.
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
public sealed class AnnouncedConnections
{
    private readonly Dictionary<(IpAddr Address, ushort Port, byte Transport), IAnnouncement> _live = new();
    private readonly long _lifetimeNs;

    /// <summary>Creates an empty table whose announcements expire after <paramref name="lifetime"/> of capture time.</summary>
    public AnnouncedConnections(TimeSpan lifetime) => _lifetimeNs = lifetime.Ticks * 100;

    /// <summary>Announcements held (expired ones are dropped when looked up).</summary>
    public int Count => _live.Count;

    /// <summary>
    /// Called with every announcement as it is made: a run split over shards hands them to the thread that merges the
    /// shards, which labels flows another shard announced (<see cref="AnnouncementHistory"/>).
    /// </summary>
    public Action<AnnouncedEndpoint, IAnnouncement>? Published { get; set; }

    /// <summary>Expects a connection to <paramref name="address"/>:<paramref name="port"/> over <paramref name="transport"/>.</summary>
    public void Announce(IpAddr address, ushort port, byte transport, IAnnouncement announcement)
    {
        _live[(address, port, transport)] = announcement;
        Published?.Invoke(new AnnouncedEndpoint(address, port, transport), announcement);
    }

    /// <summary>Labels <paramref name="flow"/> when its first packet goes to a fresh announcement; returns it, or null.</summary>
    public IAnnouncement? TryApply(Flow flow, in DecodedPacket packet)
    {
        if (_live.Count == 0 || !packet.HasPorts) return null;
        if (!TryFind(packet.Destination, packet.DestinationPort, flow.Protocol, flow.StartNs, out var found)
            && !TryFind(flow.Server, flow.ServerPort, flow.Protocol, flow.StartNs, out found)
            && !(TryFind(packet.Source, packet.SourcePort, flow.Protocol, flow.StartNs, out found) && found.Symmetric))
            return null;
        found.Apply(flow);
        flow.Announced = true;
        return found;
    }

    /// <summary>
    /// Labels <paramref name="flow"/> when a fresh announcement names its server's address and port: for a flow whose sides
    /// were learned from its content after its first packet. Returns it, or null.
    /// </summary>
    public IAnnouncement? TryApplyToServer(Flow flow)
    {
        if (_live.Count == 0 || !TryFind(flow.Server, flow.ServerPort, flow.Protocol, flow.StartNs, out var found)) return null;
        found.Apply(flow);
        flow.Announced = true;
        return found;
    }

    private bool TryFind(IpAddr address, ushort port, byte transport, long nowNs, out IAnnouncement found)
    {
        var key = (address, port, transport);
        if (!_live.TryGetValue(key, out found!)) return false;
        if (IsFresh(found, nowNs, _lifetimeNs)) return true;
        if (nowNs - found.TimeNs > _lifetimeNs) _live.Remove(key);
        return false;
    }

    /// <summary>True when <paramref name="announcement"/> still stands for a flow that began at <paramref name="startNs"/>.</summary>
    internal static bool IsFresh(IAnnouncement announcement, long startNs, long lifetimeNs) =>
        startNs - announcement.TimeNs <= lifetimeNs && startNs >= announcement.TimeNs;

    /// <summary>The lifetime of an announcement, nanoseconds of capture time.</summary>
    internal long LifetimeNs => _lifetimeNs;
}

/// <summary>Where an announcement expects the next connection: an address, a port and a transport.</summary>
public readonly record struct AnnouncedEndpoint(IpAddr Address, ushort Port, byte Transport);
