using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// Receives every packet after it was counted in its flow, and every flow when it ends. Later stages
/// (inspection, live audit, output) hook in here, so the flow table never depends on them.
/// </summary>
public interface IFlowObserver
{
    /// <summary>
    /// A packet of <paramref name="flow"/>; <paramref name="payload"/> is its transport payload and is valid only during the call.
    /// <paramref name="isFirst"/> is true for the packet that created the flow.
    /// </summary>
    void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload);

    /// <summary>
    /// True when the observer needs <see cref="OnPacket"/>. A run whose consumers all say false may split its flow table over
    /// threads and hand them ended flows only.
    /// </summary>
    bool ReadsPackets => true;

    /// <summary>
    /// Input <paramref name="input"/> (1-based) starts. The flows its records give take the run's ordinals after
    /// <paramref name="ordinalsBefore"/> as their ids: a flow record's place in its input is its id less this, whatever
    /// a selection lets through (the store's identity of a record rests on it).
    /// </summary>
    void OnInputStart(int input, long ordinalsBefore) { }

    /// <summary>The flow ended (closed, idle, evicted or end of input); it will not be seen again.</summary>
    void OnFlowEnd(Flow flow);

    /// <summary>
    /// Several flows ended at once (the end of input), in order. Each observer gets them all before the next
    /// observer does, so an observer must not depend on a later one having seen a flow; the default hands them to
    /// <see cref="OnFlowEnd"/> one by one.
    /// </summary>
    void OnFlowsEnd(ReadOnlyMemory<Flow> flows)
    {
        foreach (var flow in flows.Span) OnFlowEnd(flow);
    }
}
