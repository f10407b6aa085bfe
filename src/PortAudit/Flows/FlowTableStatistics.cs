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

    /// <summary>ICMP and ICMPv6 errors matched to the flow they answer, and so recorded on it instead of making a flow.</summary>
    public long UnreachablesMatched { get; internal set; }
}
