using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// One part of a split run: its own flow table and inspection over the host pairs dealt to it. It works batches in the
/// order the decoder dealt them, one at a time, on whichever thread <see cref="ShardScheduler"/> gives it, and after each
/// batch hands the merger the flows it ended; or, when it reads a file itself (<see cref="ShardReplica"/>), packets on its
/// replica's thread, handing over now and then. Nothing in it is shared with the other shards.
/// </summary>
internal sealed class FlowShard
{
    private readonly int _index;
    private readonly ShardOutbox _outbox;
    private readonly HandOff<ShardOutput> _merger;
    private readonly CancellationToken _abort;
    private bool _failed;

    public FlowShard(int index, FlowTableOptions options, Func<Action<object>, IFlowObserver[]> stages,
        HandOff<ShardOutput> merger, CancellationToken abort, IMergeStage? merge = null)
    {
        _index = index;
        _outbox = new ShardOutbox(merge);
        _merger = merger;
        _abort = abort;
        Table = new FlowTable(options, [.. stages(_outbox.Note), _outbox], shard: true);
        _outbox.Table = Table;
    }

    public FlowTable Table { get; }

    /// <summary>
    /// Works one batch and hands the merger what it ended. A failure goes to the merger, which stops the run; after it the
    /// shard takes no more batches, as a thread that failed would read no more.
    /// </summary>
    public void Work(PacketBatch batch)
    {
        if (_failed) return;
        try
        {
            var output = new ShardOutput { Shard = _index };
            _outbox.Current = output;
            Consume(batch);
            output.Watermark = batch.EndOfRun ? long.MaxValue : batch.Watermark;
            output.EndsInput = batch.EndsInput;
            output.EndsRun = batch.EndOfRun;
            _merger.Add(output);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>
    /// Starts input <paramref name="input"/> read by this shard's own replica (<see cref="ShardReplica"/>), which works
    /// each packet it keeps straight from its reader's buffer (<see cref="Add"/>) and hands over now and then
    /// (<see cref="HandOver"/>): no batch copies the packets, which the one-core read showed pays (docs/performance.md).
    /// </summary>
    public void BeginInput(int input)
    {
        Table.Input = input;
        _outbox.Current = new ShardOutput { Shard = _index };
    }

    /// <summary>
    /// Works one packet of the shard from a replica's reader (<paramref name="frame"/> is the whole frame); a failure goes
    /// to the merger as in <see cref="Work"/>.
    /// </summary>
    public void Add(ref DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs, long frameNumber, long ordinal)
    {
        if (_failed) return;
        try
        {
            Table.Add(ref packet, frame, timestampNs, frameNumber, ordinal);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>The run's sweep of idle flows before the packet of run ordinal <paramref name="ordinal"/>, from a replica's reader.</summary>
    public void SweepAt(long timestampNs, long ordinal)
    {
        if (_failed) return;
        try
        {
            Table.SweepAt(timestampNs, ordinal);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>
    /// Hands the merger the flows ended since the last hand-over, the shard's view complete up to run ordinal
    /// <paramref name="watermark"/>; <paramref name="endsInput"/> for the input's last.
    /// </summary>
    public void HandOver(long watermark, bool endsInput)
    {
        if (_failed) return;
        try
        {
            var output = _outbox.Current!;
            output.Watermark = watermark;
            output.EndsInput = endsInput;
            _merger.Add(output);
            _outbox.Current = new ShardOutput { Shard = _index };
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        _failed = true;
        // Stopped by a failure elsewhere: that failure is the one reported.
        if (ex is OperationCanceledException && _abort.IsCancellationRequested) return;
        try
        {
            _merger.Add(new ShardOutput { Shard = _index, Failure = ex });
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Consume(PacketBatch batch)
    {
        var table = Table;
        table.Input = batch.Input;
        var entries = batch.Entries;
        for (int i = 0; i < batch.Count; i++)
        {
            ref var entry = ref entries[i];
            if (entry.Kind != PacketBatch.EntryKind.Packet) table.SweepAt(entry.TimestampNs, entry.Ordinal);
            if (entry.Kind != PacketBatch.EntryKind.Sweep)
                table.Add(ref entry.Packet, batch.Payload(entry), entry.TimestampNs, entry.FrameNumber, entry.Ordinal);
        }
        // A shard sees its share of the packets, not where the input ended: the run marks openings cut off (InputEndMarks).
        if (batch.EndOfRun) table.EndRun([], null, markCutOff: false);
    }
}
