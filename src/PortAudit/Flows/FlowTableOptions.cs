namespace PortAudit.Flows;

/// <summary>Limits and timeouts of the flow table.</summary>
public sealed record FlowTableOptions
{
    /// <summary>A UDP (or other non-TCP) flow with no packet for this long has ended.</summary>
    public TimeSpan UdpIdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>An open TCP flow with no packet for this long has ended.</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a closed TCP flow stays in the table, so that its last ACKs and retransmissions are not taken for a new flow.
    /// </summary>
    public TimeSpan TcpClosedLinger { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most flows held at once; past it the longest-idle flows are ended early and counted. The default holds a busy
    /// segment's concurrent flows (the 2.9M-packet reference corpus peaks at 266k) within about 330 MB, as Suricata's
    /// flow memcap bounds its table: a scan of millions of unanswered SYNs must not take the machine's memory.
    /// </summary>
    public int MaxFlows { get; init; } = DefaultMaxFlows;

    /// <summary>The default of <see cref="MaxFlows"/>: 500,000.</summary>
    public const int DefaultMaxFlows = 500_000;

    /// <summary>
    /// Flows the table makes room for before its first growth: a large capture then skips the early rehashes. The room
    /// costs about 4 MB at the default, zeroed at once, so a caller that builds many tables for a few flows each asks for less.
    /// </summary>
    public int InitialFlowCapacity { get; init; } = 1 << 16;

    /// <summary>
    /// The flows that reach the run's consumers (<see cref="IFlowSelection"/>); null for every flow. The table itself
    /// still holds, times out and counts every flow.
    /// </summary>
    public IFlowSelection? Selection { get; init; }

    /// <summary>
    /// Threads that hold the flow table and inspect, for packet files read by consumers of ended flows only (see
    /// <see cref="DefaultWorkers"/>). One keeps the table on the reading thread's partner; the flows are the same either way.
    /// </summary>
    public int Workers { get; init; } = DefaultWorkers;

    /// <summary>
    /// One worker per core but one, which the decoding and merging threads share; one on two cores or fewer, where a split
    /// table measured slower than one (the corpus: 1.91 s against 1.65 s), its extra threads taking the core it would use.
    /// </summary>
    public static int DefaultWorkers => Environment.ProcessorCount <= 2 ? 1 : Environment.ProcessorCount - 1;

    /// <summary>Which side of a flow whose opening was not seen is the server.</summary>
    public IServerPortHint ServerPorts { get; init; } = WellKnownPortHint.Instance;
}
