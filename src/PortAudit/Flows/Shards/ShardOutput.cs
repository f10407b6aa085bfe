namespace PortAudit.Flows.Shards;

/// <summary>A flow a shard ended, and where in the run it ended.</summary>
internal readonly record struct EndedFlow(Flow Flow, FlowEnding Ending);

/// <summary>
/// What a shard hands the merger after each batch: the flows it ended, in its table's order, and how far in the run it
/// has read, so that the merger knows no earlier flow can still come from it.
/// </summary>
internal sealed class ShardOutput
{
    public required int Shard { get; init; }
    public List<EndedFlow> Ended { get; } = new();
    public long Watermark { get; set; }
    public bool EndsInput { get; set; }
    public bool EndsRun { get; set; }
    /// <summary>The shard failed: the run stops and this is rethrown on the caller's thread.</summary>
    public Exception? Failure { get; set; }
}
