using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// The last observer of a shard's table: collects the flows the table ends, with the table's reason and place, into the
/// output the shard hands the merger after the batch.
/// </summary>
internal sealed class ShardOutbox(IMergeStage? stage = null) : IFlowObserver
{
    public FlowTable? Table { get; set; }
    public ShardOutput? Current { get; set; }

    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <summary>Records a note at the packet being counted, in order with the flows ended around it.</summary>
    public void Note(object note) => Current!.Ended.Add(new EndedFlow(null, new FlowEnding(Table!.CurrentOrdinal, FlowEndCause.Announcement), note));

    public void OnFlowEnd(Flow flow) => Current!.Ended.Add(new EndedFlow(flow, Table!.Ending));

    /// <summary>
    /// The flows held at the end of the run, already in end order: kept whole for the merger, which merges the shards'
    /// orders once, rather than one entry per flow (nearly every flow of a capture ends here). They are prepared here, on
    /// the shard's thread and beside the other shards, with what the run announced: every announcement made before the
    /// end of input has reached the merge stage by now (the merger took every shard's last batch of input before the run
    /// ended), and the merging thread leaves it alone until the shards are done.
    /// </summary>
    public void OnFlowsEnd(ReadOnlyMemory<Flow> flows)
    {
        if (stage is not null)
            foreach (var flow in flows.Span) stage.Prepare(flow);
        Current!.Remaining = flows;
        Current.RemainingStarts = Table!.HeldStarts;
    }
}
