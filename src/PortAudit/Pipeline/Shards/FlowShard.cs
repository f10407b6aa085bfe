using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// One worker of a split run: its own flow table and inspection over the host pairs dealt to it, on its own thread or,
/// inline, on the thread that delivers its batches. It works batches in the order the decoder dealt them, and after each
/// batch hands the merger the flows it ended; nothing in it is shared with the other shards.
/// </summary>
internal sealed class FlowShard
{
    private const int InFlight = 4;
    private readonly int _index;
    private readonly ShardOutbox _outbox = new();
    private readonly HandOff<ShardOutput> _merger;
    private readonly CancellationToken _abort;
    // Null for an inline shard.
    private readonly Thread? _thread;
    private readonly HandOff<PacketBatch>? _inbox;
    private bool _failed;

    public FlowShard(int index, FlowTableOptions options, Func<Action<object>, IFlowObserver[]> stages,
        HandOff<ShardOutput> merger, CancellationToken abort, bool inline = false)
    {
        _index = index;
        _merger = merger;
        _abort = abort;
        Table = new FlowTable(options, [.. stages(_outbox.Note), _outbox], externalSweeps: true);
        _outbox.Table = Table;
        // An inline shard works each batch as it is delivered, so one batch goes round.
        int inFlight = inline ? 0 : InFlight;
        Empty = new HandOff<PacketBatch>(inFlight + 1, abort);
        for (int i = 0; i <= inFlight; i++) Empty.Add(new PacketBatch());
        if (inline) return;
        _inbox = new HandOff<PacketBatch>(InFlight, abort);
        _thread = new Thread(Run) { IsBackground = true, Name = $"portaudit-flows-{index}" };
        _thread.Start();
    }

    public FlowTable Table { get; }

    /// <summary>Batches the shard is done with, for the decoder to fill again.</summary>
    public HandOff<PacketBatch> Empty { get; }

    public void Join() => _thread?.Join();

    /// <summary>
    /// Hands the shard a batch: queued for its thread, or, for an inline shard, worked now on the caller's thread (the
    /// decoder's while reading, the merging thread's at the end of the run).
    /// </summary>
    public void Deliver(PacketBatch batch)
    {
        if (_inbox is not null)
        {
            _inbox.Add(batch);
            return;
        }
        // After a failure the shard takes no more batches, as a thread that failed reads no more: the merger has the
        // failure and aborts the run, which ends the decoder's next wait.
        if (_failed) return;
        try
        {
            Process(batch);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Run()
    {
        try
        {
            while (_inbox!.TryTake(out var batch))
                if (Process(batch)) return;
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        // Stopped by a failure elsewhere: that failure is the one reported.
        if (ex is OperationCanceledException && _abort.IsCancellationRequested) return;
        _failed = true;
        try
        {
            _merger.Add(new ShardOutput { Shard = _index, Failure = ex });
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Works one batch and hands the merger what it ended; true for the run's last.</summary>
    private bool Process(PacketBatch batch)
    {
        var output = new ShardOutput { Shard = _index };
        _outbox.Current = output;
        Consume(batch);
        output.Watermark = batch.EndOfRun ? long.MaxValue : batch.Watermark;
        output.EndsInput = batch.EndsInput;
        output.EndsRun = batch.EndOfRun;
        bool last = batch.EndOfRun;
        batch.Clear();
        Empty.Add(batch);
        _merger.Add(output);
        return last;
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
        if (batch.EndOfRun) table.Flush();
    }
}
