using PortAudit.Common;

namespace PortAudit.Audit.Timeline;

/// <summary>Bytes to one server port of one transport, per <see cref="TrafficKey"/>.</summary>
/// <param name="Label">"5061/tcp", or <see cref="PortTraffic.OtherLabel"/> for ports past the limit.</param>
/// <param name="BytesByKey">IP bytes both ways per verdict name (or required-blocked), in order of first use.</param>
public sealed record PortBytes(string Label, IReadOnlyList<KeyValuePair<string, long>> BytesByKey)
{
    /// <summary>Bytes over all keys.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (var (_, bytes) in BytesByKey) total = Saturating.Add(total, bytes);
            return total;
        }
    }
}

/// <summary>
/// Bytes per server port and transport for one role pair, split by <see cref="TrafficKey"/>. A scan touches thousands of ports, so
/// past <see cref="MaxPorts"/> distinct ports the rest is summed under <see cref="OtherLabel"/>.
/// </summary>
public sealed class PortTraffic
{
    /// <summary>Most ports kept apart.</summary>
    public const int MaxPorts = 256;

    /// <summary>Label of the bucket that sums the ports past <see cref="MaxPorts"/>.</summary>
    public const string OtherLabel = "other ports";

    private readonly Dictionary<(string Transport, int Port), Dictionary<string, long>> _ports = [];
    private Dictionary<string, long>? _other;

    /// <summary>Ports with traffic, most bytes first, the overflow bucket (if any) last.</summary>
    /// <remarks>
    /// Sorted by a comparison over a class rather than OrderBy over these tuple keys, whose generic code would be
    /// JIT-compiled at every start (docs/performance.md, Startup). The keys are distinct, so the order is the same.
    /// </remarks>
    public IReadOnlyList<PortBytes> Ports
    {
        get
        {
            var ranked = new List<RankedPort>(_ports.Count);
            foreach (var ((transport, port), bytesByKey) in _ports)
            {
                long total = 0;
                foreach (long bytes in bytesByKey.Values) total = Saturating.Add(total, bytes);
                ranked.Add(new RankedPort(total, port, transport, new PortBytes($"{port}/{transport}", [.. bytesByKey])));
            }
            ranked.Sort(RankedPort.Compare);
            var ports = new List<PortBytes>(ranked.Count + 1);
            foreach (var entry in ranked) ports.Add(entry.Bytes);
            if (_other is not null) ports.Add(new PortBytes(OtherLabel, [.. _other]));
            return ports;
        }
    }

    private sealed record RankedPort(long Total, int Port, string Transport, PortBytes Bytes)
    {
        public static int Compare(RankedPort a, RankedPort b) =>
            a.Total != b.Total ? b.Total.CompareTo(a.Total)
            : a.Port != b.Port ? a.Port.CompareTo(b.Port)
            : string.CompareOrdinal(a.Transport, b.Transport);
    }

    internal void Add(string transport, int port, string key, long bytes)
    {
        if (!_ports.TryGetValue((transport, port), out var bytesByKey))
        {
            if (_ports.Count < MaxPorts) _ports.Add((transport, port), bytesByKey = []);
            else bytesByKey = _other ??= [];
        }
        bytesByKey[key] = Saturating.Add(bytesByKey.GetValueOrDefault(key), bytes);
    }
}
