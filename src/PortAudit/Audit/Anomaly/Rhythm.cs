namespace PortAudit.Audit.Anomaly;

/// <summary>
/// How a flow's data packets came: how many, their payload bytes, and the gaps between them (largest, mean, spread).
/// A beacon held in one connection is small messages at a steady, long interval; a transfer is large ones back to back.
/// </summary>
public sealed class Rhythm
{
    private long _lastNs = -1;
    private GapStatistics _gaps;

    /// <summary>Packets that carried payload.</summary>
    public long DataPackets { get; private set; }

    /// <summary>Their payload bytes.</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>The longest gap between two data packets, seconds.</summary>
    public double MaxGap => _gaps.Max;

    /// <summary>Gaps between data packets (one fewer than the packets).</summary>
    public long Gaps => _gaps.Count;

    /// <summary>The gaps' coefficient of variation (<see cref="GapStatistics.Variation"/>): near 0 for a steady beat.</summary>
    public double GapVariation => _gaps.Variation;

    /// <summary>DNS queries the client sent in the flow (<see cref="DnsQuestion"/>).</summary>
    public long DnsQueries { get; private set; }

    /// <summary>Mean length of the names those queries asked for; 0 without queries.</summary>
    public double DnsNameLength => DnsQueries == 0 ? 0 : _nameLengths / DnsQueries;

    /// <summary>Mean entropy (bits per character) of those names; 0 without queries.</summary>
    public double DnsNameEntropy => DnsQueries == 0 ? 0 : _nameEntropies / DnsQueries;

    /// <summary>The client's side of a DNS-over-TCP flow as it is framed into messages; null for any other flow.</summary>
    public DnsTcpStream? DnsStream { get; set; }

    /// <summary>What an ICMP echo flow's requests carried; null for any other flow.</summary>
    public EchoPayloads? Echo { get; set; }

    private double _nameLengths;
    private double _nameEntropies;

    /// <summary>Counts a DNS query for a name of <paramref name="length"/> characters and <paramref name="entropy"/> bits per character.</summary>
    public void AddQuery(int length, double entropy)
    {
        DnsQueries++;
        _nameLengths += length;
        _nameEntropies += entropy;
    }

    /// <summary>Counts a data packet of <paramref name="payload"/> bytes at <paramref name="timeNs"/>.</summary>
    public void Add(long timeNs, int payload)
    {
        if (_lastNs >= 0) _gaps.Add((timeNs - _lastNs) / 1e9);
        _lastNs = timeNs;
        DataPackets++;
        PayloadBytes += payload;
    }
}
