namespace PortAudit.Inspect;

/// <summary>
/// Keeps finished inspection states for the next flows. Most flows are done within a few packets, while the flow
/// table holds them far longer: reusing the state spares the collector from promoting it with the flow.
/// </summary>
internal sealed class FlowInspectionPool(int scratchWords)
{
    // Enough for the states a burst of new flows needs; beyond it, spares are left to the collector.
    private const int MaxSpare = 4096;
    private readonly Stack<FlowInspection> _spare = new();

    /// <summary>A state ready for a new flow.</summary>
    public FlowInspection Rent(ulong alive, ulong hinted)
    {
        var state = _spare.TryPop(out var reused) ? reused : new FlowInspection(scratchWords);
        state.Begin(alive, hinted);
        return state;
    }

    /// <summary>Takes back a state no flow refers to any more.</summary>
    public void Return(FlowInspection state)
    {
        state.ReleaseStreams();
        state.Follower = null;
        if (_spare.Count < MaxSpare) _spare.Push(state);
    }
}
