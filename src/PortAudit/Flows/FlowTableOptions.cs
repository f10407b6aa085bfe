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
    /// Flow tables a packet file is split over, for runs whose consumers see ended flows only (see
    /// <see cref="DefaultWorkers"/>): each but the last has a thread of its own, and the last is worked by whichever thread
    /// is free, the decoder's included. One keeps the table on the reading thread's partner; the flows are the same either
    /// way.
    /// </summary>
    public int Workers { get; init; } = DefaultWorkers;

    /// <summary>
    /// One per core: two cores hold two tables, the second worked by whichever of the decoder's thread and the worker is
    /// free, so that the cores balance whatever the traffic (docs/performance.md).
    /// </summary>
    public static int DefaultWorkers => WorkersBeside(0);

    /// <summary>
    /// One per core but the <paramref name="busyCores"/> other threads of the run keep busy while it reads: the audit's
    /// capture digest takes a core, and on two cores a second table beside it made the audit slower (2.09 s against
    /// 2.035 s, median of 10), its work outgrowing what a core short could give.
    /// </summary>
    public static int WorkersBeside(int busyCores) => Math.Max(1, Environment.ProcessorCount - busyCores);

    /// <summary>Which side of a flow whose opening was not seen is the server.</summary>
    public IServerPortHint ServerPorts { get; init; } = WellKnownPortHint.Instance;
}
