using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// A flow a shard ended, and where in the run it ended; or, with no flow, a note a stage made at that place (an
/// announcement), for the merging thread to take in run order.
/// </summary>
internal readonly record struct EndedFlow(Flow? Flow, FlowEnding Ending, object? Note = null);

/// <summary>
/// What the merging thread does besides handing flows on: takes the notes the shards' stages made, and prepares each
/// flow with them before the consumers see it, always in run order, so the result does not depend on the split.
/// </summary>
internal interface IMergeStage
{
    /// <summary>A note a shard's stage made (see <see cref="ShardOutbox.Note"/>) at the packet of run ordinal <paramref name="ordinal"/>.</summary>
    void OnNote(object note, long ordinal);

    /// <summary>A flow about to reach the consumers.</summary>
    void Prepare(Flow flow);
}

/// <summary>
/// What a shard hands the merger after each batch: the flows it ended, in its table's order, and how far in the run it
/// has read, so that the merger knows no earlier flow can still come from it.
/// </summary>
internal sealed class ShardOutput
{
    public required int Shard { get; init; }
    public List<EndedFlow> Ended { get; } = new();
    /// <summary>
    /// At the end of the run, the flows the shard still held, by first packet and then id (<see cref="FlowEnding"/>'s
    /// order for flows ended with the input); they come after every flow in <see cref="Ended"/>.
    /// </summary>
    public ReadOnlyMemory<Flow> Remaining { get; set; }
    /// <summary>
    /// The first packet's time of each flow in <see cref="Remaining"/>, at the same place: the merger orders the shards'
    /// flows by these, reading two arrays in order rather than two flows scattered over the heap at every step.
    /// </summary>
    public long[] RemainingStarts { get; set; } = [];
    public long Watermark { get; set; }
    public bool EndsInput { get; set; }
    public bool EndsRun { get; set; }
    /// <summary>The shard failed: the run stops and this is rethrown on the caller's thread.</summary>
    public Exception? Failure { get; set; }
}
