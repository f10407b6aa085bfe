using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Inspect;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// One worker of a split run: its own flow table and inspection over the host pairs dealt to it, on its own thread. It
/// reads batches from its inbox in the order the decoder dealt them, and after each batch hands the merger the flows
/// it ended; nothing in it is shared with the other shards.
/// </summary>
internal sealed class FlowShard
{
    private const int InFlight = 4;
    private readonly int _index;
    private readonly ShardOutbox _outbox = new();
    private readonly HandOff<ShardOutput> _merger;
    private readonly CancellationToken _abort;
    private readonly Thread _thread;

    public FlowShard(int index, FlowTableOptions options, Func<Action<object>, IFlowObserver[]> stages,
        HandOff<ShardOutput> merger, CancellationToken abort)
    {
        _index = index;
        _merger = merger;
        _abort = abort;
        Table = new FlowTable(options, [.. stages(_outbox.Note), _outbox], externalSweeps: true);
        _outbox.Table = Table;
        Inbox = new HandOff<PacketBatch>(InFlight, abort);
        Empty = new HandOff<PacketBatch>(InFlight + 1, abort);
        for (int i = 0; i <= InFlight; i++) Empty.Add(new PacketBatch());
        _thread = new Thread(Run) { IsBackground = true, Name = $"portaudit-flows-{index}" };
        _thread.Start();
    }

    public FlowTable Table { get; }

    /// <summary>Batches dealt to this shard, in run order.</summary>
    public HandOff<PacketBatch> Inbox { get; }

    /// <summary>Batches the shard is done with, for the decoder to fill again.</summary>
    public HandOff<PacketBatch> Empty { get; }

    public void Join() => _thread.Join();

    private void Run()
    {
        try
        {
            while (Inbox.TryTake(out var batch))
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
                if (last) return;
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // The run was stopped by a failure elsewhere; that failure is the one reported.
        }
        catch (Exception ex)
        {
            try
            {
                _merger.Add(new ShardOutput { Shard = _index, Failure = ex });
            }
            catch (OperationCanceledException)
            {
            }
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
        if (batch.EndOfRun) table.Flush();
    }
}
