namespace PortAudit.Audit.Timeline;

/// <summary>Bytes to one server port of one transport, per verdict.</summary>
/// <param name="Label">"5061/tcp", or <see cref="PortTraffic.OtherLabel"/> for ports past the limit.</param>
/// <param name="BytesByVerdict">IP bytes both ways, indexed by <see cref="Verdict"/>.</param>
public sealed record PortBytes(string Label, IReadOnlyList<long> BytesByVerdict)
{
    /// <summary>Bytes over all verdicts.</summary>
    public long Total => BytesByVerdict.Sum();
}

/// <summary>
/// Bytes per server port and transport for one role pair, split by verdict. A scan touches thousands of ports, so
/// past <see cref="MaxPorts"/> distinct ports the rest is summed under <see cref="OtherLabel"/>.
/// </summary>
public sealed class PortTraffic
{
    /// <summary>Most ports kept apart.</summary>
    public const int MaxPorts = 256;

    /// <summary>Label of the bucket that sums the ports past <see cref="MaxPorts"/>.</summary>
    public const string OtherLabel = "other ports";

    private readonly Dictionary<(string Transport, int Port), long[]> _ports = [];
    private long[]? _other;

    /// <summary>Ports with traffic, most bytes first, the overflow bucket (if any) last.</summary>
    public IReadOnlyList<PortBytes> Ports =>
        _ports.OrderByDescending(p => p.Value.Sum()).ThenBy(p => p.Key.Port).ThenBy(p => p.Key.Transport, StringComparer.Ordinal)
            .Select(p => new PortBytes($"{p.Key.Port}/{p.Key.Transport}", p.Value))
            .Concat(_other is null ? [] : [new PortBytes(OtherLabel, _other)])
            .ToList();

    internal void Add(string transport, int port, Verdict verdict, long bytes)
    {
        if (!_ports.TryGetValue((transport, port), out var bytesByVerdict))
        {
            if (_ports.Count < MaxPorts) _ports.Add((transport, port), bytesByVerdict = new long[VerdictNames.All.Length]);
            else bytesByVerdict = _other ??= new long[VerdictNames.All.Length];
        }
        bytesByVerdict[(int)verdict] += bytes;
    }
}
