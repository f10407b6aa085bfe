namespace PortAudit.Audit.Timeline;

/// <summary>Bytes to one server port of one transport, per <see cref="TrafficKey"/>.</summary>
/// <param name="Label">"5061/tcp", or <see cref="PortTraffic.OtherLabel"/> for ports past the limit.</param>
/// <param name="BytesByKey">IP bytes both ways per verdict name (or required-blocked), in order of first use.</param>
public sealed record PortBytes(string Label, IReadOnlyList<KeyValuePair<string, long>> BytesByKey)
{
    /// <summary>Bytes over all keys.</summary>
    public long Total => BytesByKey.Sum(b => b.Value);
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
    public IReadOnlyList<PortBytes> Ports =>
        _ports.OrderByDescending(p => p.Value.Values.Sum()).ThenBy(p => p.Key.Port).ThenBy(p => p.Key.Transport, StringComparer.Ordinal)
            .Select(p => new PortBytes($"{p.Key.Port}/{p.Key.Transport}", [.. p.Value]))
            .Concat(_other is null ? [] : [new PortBytes(OtherLabel, [.. _other])])
            .ToList();

    internal void Add(string transport, int port, string key, long bytes)
    {
        if (!_ports.TryGetValue((transport, port), out var bytesByKey))
        {
            if (_ports.Count < MaxPorts) _ports.Add((transport, port), bytesByKey = []);
            else bytesByKey = _other ??= [];
        }
        bytesByKey[key] = bytesByKey.GetValueOrDefault(key) + bytes;
    }
}
