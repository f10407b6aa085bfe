using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// Remembers the ports of each fragmented IP datagram's first fragment, so that later fragments (which carry no
/// transport header) are counted in the same flow. Fragments that arrive before their first are held as counts.
/// </summary>
internal sealed class FragmentTracker
{
    private static readonly long ExpiryNs = TimeSpan.FromSeconds(60).Ticks * 100;
    private readonly Dictionary<Key, Entry> _entries = new();
    private long _nextSweepNs;

    public long Orphans { get; private set; }

    /// <summary>Records the first fragment; returns the counts of later fragments that were waiting for it.</summary>
    public Pending RegisterFirst(in DecodedPacket packet, long timestampNs)
    {
        var key = new Key(packet.Source, packet.Destination, packet.Protocol, packet.FragmentId);
        _entries.TryGetValue(key, out var entry);
        var pending = entry.Pending;
        _entries[key] = new Entry(true, packet.SourcePort, packet.DestinationPort, timestampNs, default);
        Sweep(timestampNs);
        return pending;
    }

    /// <summary>Fills in the ports of a later fragment; false when its first fragment has not been seen (it is then held).</summary>
    public bool TryResolve(ref DecodedPacket packet, long timestampNs)
    {
        var key = new Key(packet.Source, packet.Destination, packet.Protocol, packet.FragmentId);
        _entries.TryGetValue(key, out var entry);
        if (entry.HasPorts)
        {
            packet.SourcePort = entry.SourcePort;
            packet.DestinationPort = entry.DestinationPort;
            packet.HasPorts = true;
            _entries[key] = entry with { LastSeenNs = timestampNs };
            return true;
        }
        var p = entry.Pending;
        _entries[key] = entry with
        {
            LastSeenNs = timestampNs,
            Pending = new Pending(p.Packets + 1, p.Bytes + packet.IpBytes, p.Packets == 0 ? timestampNs : p.FirstNs, timestampNs),
        };
        Sweep(timestampNs);
        return false;
    }

    /// <summary>Counts every held fragment as an orphan: the input has ended.</summary>
    public void Finish()
    {
        foreach (var entry in _entries.Values) Orphans += entry.Pending.Packets;
        _entries.Clear();
    }

    private void Sweep(long nowNs)
    {
        if (nowNs < _nextSweepNs) return;
        _nextSweepNs = nowNs + ExpiryNs;
        List<Key>? expired = null;
        foreach (var (key, entry) in _entries)
        {
            if (nowNs - entry.LastSeenNs > ExpiryNs) (expired ??= new()).Add(key);
        }
        if (expired is null) return;
        foreach (var key in expired)
        {
            Orphans += _entries[key].Pending.Packets;
            _entries.Remove(key);
        }
    }

    private readonly record struct Key(IpAddr Source, IpAddr Destination, byte Protocol, uint Id);

    private readonly record struct Entry(bool HasPorts, ushort SourcePort, ushort DestinationPort, long LastSeenNs, Pending Pending);

    /// <summary>Fragments counted before their flow was known.</summary>
    public readonly record struct Pending(long Packets, long Bytes, long FirstNs, long LastNs);
}
