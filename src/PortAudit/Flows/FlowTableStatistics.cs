namespace PortAudit.Flows;

/// <summary>Counters of the flow table, for the summary and the log.</summary>
public sealed class FlowTableStatistics
{
    /// <summary>Flows created.</summary>
    public long FlowsCreated { get; internal set; }

    /// <summary>Flows ended because the table was full.</summary>
    public long FlowsEvicted { get; internal set; }

    /// <summary>Most flows held at once.</summary>
    public int PeakActiveFlows { get; internal set; }

    /// <summary>IP fragments whose first fragment never arrived, so no flow could take them.</summary>
    public long OrphanFragments { get; internal set; }

    /// <summary>ICMP and ICMPv6 errors matched to the flow they answer (or to the tunnel whose packet they quote), and so recorded on it instead of making a flow.</summary>
    public long UnreachablesMatched { get; internal set; }

    /// <summary>
    /// Packets of tunnels (GRE, IP-in-IP, 6in4) between more pairs of ends than <see cref="FlowTableOptions.MaxFlows"/>
    /// (a split run's table: its share): the flows they carry are counted, the tunnel's own conversation is not.
    /// </summary>
    public long TunnelPacketsUntracked { get; internal set; }

    /// <summary>
    /// The counters of several tables that hold parts of one run (its shards) as one; the peak is the sum of the shards'
    /// peaks, an upper bound of the run's.
    /// </summary>
    internal static FlowTableStatistics Sum(IEnumerable<FlowTableStatistics> parts)
    {
        var sum = new FlowTableStatistics();
        foreach (var part in parts)
        {
            sum.FlowsCreated += part.FlowsCreated;
            sum.FlowsEvicted += part.FlowsEvicted;
            sum.PeakActiveFlows += part.PeakActiveFlows;
            sum.OrphanFragments += part.OrphanFragments;
            sum.UnreachablesMatched += part.UnreachablesMatched;
            sum.TunnelPacketsUntracked += part.TunnelPacketsUntracked;
        }
        return sum;
    }
}
