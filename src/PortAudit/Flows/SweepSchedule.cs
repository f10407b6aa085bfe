namespace PortAudit.Flows;

/// <summary>
/// When a run looks for idle flows: at the first packet at or past the next sweep time, or more than an interval before
/// the last sweep (the capture's clock went back), then one interval later. A table keeps its own schedule; a run split
/// into shards keeps one for all of them, so that every shard ends idle flows at the same packets as one table would, and
/// the flows the run reports do not depend on how many shards it had.
/// </summary>
internal struct SweepSchedule
{
    private readonly long _intervalNs;
    // No sweep is due in [_quietFromNs, _quietFromNs + 2 intervals): from an interval before the last sweep to the next.
    // One unsigned comparison per packet tells both ends (two signed ones cost 2 to 3% of `flows` under taskset -c 0).
    private long _quietFromNs;

    public SweepSchedule(FlowTableOptions options)
    {
        long udp = options.UdpIdleTimeout.Ticks * 100, closed = options.TcpClosedLinger.Ticks * 100;
        // Half the shortest timeout, and never more often than each second of capture time: a sweep visits every flow.
        _intervalNs = Math.Max(1_000_000_000L, Math.Min(udp, closed) / 2);
        // The first packet at or after time 0 is due.
        _quietFromNs = -2 * _intervalNs;
    }

    // A clock gone back would otherwise put the next sweep past every later packet: the flows no packet comes back to
    // would stay held until the capture's time caught up again, hours later in ipsec_isakmp_esp.pcap.
    /// <summary>True when <see cref="IsDue"/> would be for the packet of <paramref name="timestampNs"/>; schedules nothing.</summary>
    public readonly bool WouldBeDue(long timestampNs) => (ulong)(timestampNs - _quietFromNs) >= (ulong)(2 * _intervalNs);

    /// <summary>True when a sweep is due before the packet of <paramref name="timestampNs"/>; the next one is then scheduled.</summary>
    public bool IsDue(long timestampNs)
    {
        if (!WouldBeDue(timestampNs)) return false;
        _quietFromNs = timestampNs - _intervalNs;
        return true;
    }
}
