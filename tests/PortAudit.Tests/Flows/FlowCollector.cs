using PortAudit.Flows;

namespace PortAudit.Tests.Flows;

/// <summary>The last stage of a test's flow table: keeps every flow as it ends.</summary>
internal sealed class FlowCollector : IFlowObserver
{
    public List<Flow> Flows { get; } = new();

    /// <summary>False lets a run split its table over shards (<see cref="IFlowObserver.ReadsPackets"/>).</summary>
    public bool ReadsPackets { get; init; } = true;

    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    public void OnFlowEnd(Flow flow) => Flows.Add(flow);
}
