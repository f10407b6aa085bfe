using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// The last observer of a shard's table: collects the flows the table ends, with the table's reason and place, into the
/// output the shard hands the merger after the batch.
/// </summary>
internal sealed class ShardOutbox : IFlowObserver
{
    public FlowTable? Table { get; set; }
    public ShardOutput? Current { get; set; }

    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <summary>Records a note at the packet being counted, in order with the flows ended around it.</summary>
    public void Note(object note) => Current!.Ended.Add(new EndedFlow(null, new FlowEnding(Table!.CurrentOrdinal, FlowEndCause.Announcement), note));

    public void OnFlowEnd(Flow flow) => Current!.Ended.Add(new EndedFlow(flow, Table!.Ending));

    /// <summary>
    /// The flows held at the end of the run, already in end order: kept whole for the merger, which merges the shards'
    /// orders once, rather than one entry per flow (nearly every flow of a capture ends here).
    /// </summary>
    public void OnFlowsEnd(ReadOnlyMemory<Flow> flows) => Current!.Remaining = flows;
}
