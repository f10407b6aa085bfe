namespace PortAudit.Flows;

/// <summary>Why flows end, in the order a table ends them at one packet.</summary>
internal enum FlowEndCause : byte
{
    /// <summary>Idle past its timeout, found by the sweep that runs before the packet, or by the packet that comes back to it.</summary>
    Idle,
    /// <summary>A SYN reopened the closed flow's 5-tuple.</summary>
    Reopened,
    /// <summary>The table was full when the packet opened a flow.</summary>
    Evicted,
    /// <summary>Not an end: the packet announced a connection to come (see <c>AnnouncedConnections</c>).</summary>
    Announcement,
    /// <summary>A flow record, ended as it arrived.</summary>
    Record,
    /// <summary>Still held when the input ended.</summary>
    EndOfInput,
}

/// <summary>
/// Where in a run a flow ended: the run ordinal of the packet (or record) at which the table ended it, and why. Flows
/// ended at one packet are ordered as the table orders them: idle and remaining flows by start, evicted ones by last
/// packet, ids breaking ties. The order is total and the same in one table as across shards, so a run's output does
/// not depend on how it was split.
/// </summary>
internal readonly record struct FlowEnding(long Ordinal, FlowEndCause Cause)
{
    /// <summary>The end of every flow still held when the input ended: after every other.</summary>
    public static FlowEnding EndOfInput { get; } = new(long.MaxValue, FlowEndCause.EndOfInput);

    /// <summary>Compares the ends of <paramref name="a"/> at <paramref name="at"/> and <paramref name="b"/> at <paramref name="bt"/>.</summary>
    public static int Compare(Flow? a, FlowEnding at, Flow? b, FlowEnding bt)
    {
        int c = at.Ordinal.CompareTo(bt.Ordinal);
        if (c != 0) return c;
        c = at.Cause.CompareTo(bt.Cause);
        if (c != 0) return c;
        // Announcements of one packet come from one shard, which keeps them in the order made.
        if (at.Cause == FlowEndCause.Announcement) return 0;
        c = at.Cause == FlowEndCause.Evicted ? a!.EndNs.CompareTo(b!.EndNs) : a!.StartNs.CompareTo(b!.StartNs);
        return c != 0 ? c : a.Id.CompareTo(b.Id);
    }
}
