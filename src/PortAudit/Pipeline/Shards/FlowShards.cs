using System.Runtime.CompilerServices;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// The flow table and inspection split over worker threads by host pair. Each packet goes to the shard of its two
/// addresses (the quoted pair for an ICMP error), so that every flow between two hosts, and the connections one
/// of them announces to the other (an endpoint-mapper answer and the RPC it names, FTP control and data), meet in one
/// shard, as Zeek clusters balance by address pair for the same reason. Idle sweeps are scheduled once for the run and
/// dealt to every shard, and the merger restores one order, so a run's flows and their order do not depend on the number
/// of shards, nor on which thread worked which batch. A file on disk is read by every shard on a thread of its own
/// (<see cref="ShardReplica"/>). A pipe or a compressed file is read once: the decoder deals its packets (<see cref="Deal"/>),
/// every shard but the last has a thread, and the last is worked by whichever thread is free (<see cref="ShardScheduler"/>).
/// The caller's thread merges and feeds the consumers.
/// </summary>
internal sealed class FlowShards
{
    private readonly FlowShard[] _shards;
    private readonly ShardScheduler _scheduler;
    private readonly PacketBatch[] _current;
    private readonly FlowEndMerger _merger;
    private readonly CancellationTokenSource _abort = new();
    private readonly HandOff<ShardOutput> _outputs;
    // The carriers each shard's reader has met (identical at a given record, whoever reads): a file's replicas each keep
    // their shard's; the dealing decoder keeps them all. They span the run, as a single table's carriers do.
    private readonly CarrierSightings[] _sightings;
    private SweepSchedule _sweeps;
    private int _input;
    private bool _ended;

    /// <summary>
    /// <paramref name="count"/> shards, each with its own stages from <paramref name="stages"/> (inspection; given where to
    /// leave notes for <paramref name="merge"/>), whose ended flows go to <paramref name="consumers"/> in one order.
    /// </summary>
    public FlowShards(int count, FlowTableOptions options, Func<Action<object>, IFlowObserver[]> stages, IFlowObserver[] consumers,
        IMergeStage? merge = null)
    {
        _outputs = new HandOff<ShardOutput>(abort: _abort.Token);
        _shards = new FlowShard[count];
        _current = new PacketBatch[count];
        // Each shard holds its share of the table's bound, so the run as a whole holds no more than one table would, and
        // a shard evicts no sooner than one table would, for host pairs spread evenly.
        var shardOptions = options with
        {
            MaxFlows = Math.Max(1, options.MaxFlows / count),
            InitialFlowCapacity = Math.Max(16, options.InitialFlowCapacity / count),
        };
        for (int i = 0; i < count; i++) _shards[i] = new FlowShard(i, shardOptions, stages, _outputs, _abort.Token, merge);
        _sightings = new CarrierSightings[count];
        for (int i = 0; i < count; i++) _sightings[i] = new CarrierSightings(options.MaxFlows);
        _scheduler = new ShardScheduler(_shards, _abort.Token);
        _merger = new FlowEndMerger(count, consumers, merge);
        _sweeps = new SweepSchedule(options);
    }

    /// <summary>How many shards.</summary>
    public int Count => _shards.Length;

    /// <summary>The shards' tables, for their counters.</summary>
    public IEnumerable<FlowTable> Tables => _shards.Select(s => s.Table);

    /// <summary>Flows held at this moment, over all shards (read from another thread, so approximate).</summary>
    public int ActiveFlows => _shards.Sum(s => s.Table.ActiveFlows);

    /// <summary>The shard of a packet: symmetric in its two addresses, so both directions of a pair meet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ShardOf(in DecodedPacket packet, int count) => packet.Quote.Present
        ? ShardOf(packet.Quote.Source, packet.Quote.Destination, count)
        : ShardOf(packet.Source, packet.Destination, count);

    /// <summary>The shard of the host pair of <paramref name="a"/> and <paramref name="b"/>, in either order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ShardOf(IpAddr a, IpAddr b, int count) => (int)(((HostPair.Hash(a, b) >> 32) * (uint)count) >> 32);

    /// <summary>The run's sweep schedule so far; replicas of an input each take a copy and hand back the first's.</summary>
    internal SweepSchedule Sweeps
    {
        get => _sweeps;
        set => _sweeps = value;
    }

    /// <summary>Fires when the run is aborted (a shard or the merger failed).</summary>
    internal CancellationToken Aborted => _abort.Token;

    /// <summary>
    /// Starts an input whose shards each read it on their own (<see cref="ShardReplica"/>): no batches are dealt, and each
    /// replica works <see cref="Replica"/> of its shard itself.
    /// </summary>
    internal void BeginReplicatedInput(int input)
    {
        _input = input;
        foreach (var shard in _shards) shard.BeginInput(input);
    }

    /// <summary>Shard <paramref name="shard"/>, for its own replica's thread.</summary>
    internal FlowShard Replica(int shard) => _shards[shard];

    /// <summary>The carriers met by shard <paramref name="shard"/>'s reader, for its own replica's thread.</summary>
    internal CarrierSightings Sightings(int shard) => _sightings[shard];

    /// <summary>Takes in a packet the decoder is about to deal: every shard's reader has met it.</summary>
    internal void See(ref DecodedPacket packet)
    {
        foreach (var sightings in _sightings) sightings.See(ref packet);
    }

    /// <summary>Starts an input on the decoder's thread: every shard gets an empty batch to fill.</summary>
    public void BeginInput(int input)
    {
        _input = input;
        for (int i = 0; i < _shards.Length; i++) _current[i] = TakeEmpty(i);
    }

    /// <summary>
    /// True when the packet for <paramref name="shard"/> does not fit its batch, nor would the sweep it may bring fit the
    /// others': the decoder then sends a round (<see cref="SendRound"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsRoundDue(int shard, in DecodedPacket packet) => _current[shard] is var batch && (batch.IsFull || !batch.HasRoomFor(packet));

    /// <summary>
    /// Deals one decoded packet of run ordinal <paramref name="ordinal"/> to <paramref name="shard"/>; when the run's
    /// sweep is due, every shard sweeps before it. The caller has sent a round if <see cref="IsRoundDue"/> said so.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Deal(int shard, in DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs, long frameNumber, long ordinal)
    {
        bool sweep = _sweeps.IsDue(timestampNs);
        if (sweep) DealSweep(shard, timestampNs, ordinal);
        _current[shard].Add(packet, frame, timestampNs, frameNumber, ordinal, sweep);
    }

    private void DealSweep(int shard, long timestampNs, long ordinal)
    {
        // Sweeps are rare (a second of capture time apart at least): a full batch is sent alone, outside any round, with
        // the watermark of the packet before, which every entry it holds precedes.
        for (int i = 0; i < _shards.Length; i++)
        {
            if (i == shard) continue;
            if (_current[i].IsFull) Send(i, ordinal - 1);
            _current[i].AddSweep(timestampNs, ordinal);
        }
    }

    /// <summary>
    /// Sends every shard its batch, complete up to <paramref name="watermark"/>: the merger then knows how far each has
    /// read, even a shard that got few packets, so no shard's flows wait on another's next batch for long.
    /// </summary>
    public void SendRound(long watermark)
    {
        for (int i = 0; i < _shards.Length; i++) Send(i, watermark);
        _scheduler.HelpIfBehind();
    }

    /// <summary>True when a shard's batch holds a packet or a sweep not yet sent: a round would hand something on.</summary>
    public bool HoldsDealt()
    {
        foreach (var batch in _current)
            if (batch.Count > 0) return true;
        return false;
    }

    /// <summary>Ends an input on the decoder's thread: the last round, marked, up to the input's last ordinal.</summary>
    public void EndInput(long lastOrdinal)
    {
        for (int i = 0; i < _shards.Length; i++)
        {
            _current[i].EndsInput = true;
            _scheduler.Deliver(i, Stamp(_current[i], lastOrdinal));
            _current[i] = null!;
        }
        // The decoder's last act for the input: the merger waits for every shard's last batch.
        _scheduler.HelpWithAll();
    }

    private void Send(int shard, long watermark)
    {
        _scheduler.Deliver(shard, Stamp(_current[shard], watermark));
        _current[shard] = TakeEmpty(shard);
    }

    private PacketBatch Stamp(PacketBatch batch, long watermark)
    {
        batch.Watermark = watermark;
        batch.Input = _input;
        return batch;
    }

    private PacketBatch TakeEmpty(int shard) => _scheduler.TakeEmpty(shard);

    /// <summary>
    /// On the caller's thread: merges what the shards end until every shard has read the input's last batch. A shard's
    /// failure is rethrown here.
    /// </summary>
    public void MergeInput() => Merge(static o => o.EndsInput);

    /// <summary>
    /// Ends the run: every shard ends the flows it holds, and the merger hands them on in one order. Idempotent.
    /// </summary>
    public void EndRun()
    {
        if (_ended) return;
        _ended = true;
        for (int i = 0; i < _shards.Length; i++)
        {
            var batch = TakeEmpty(i);
            batch.EndOfRun = true;
            _scheduler.Deliver(i, Stamp(batch, long.MaxValue));
        }
        _scheduler.Finish();
        Merge(static o => o.EndsRun);
        _merger.HandOnRemaining();
    }

    /// <summary>Stops every shard and the decoder's waits: a failure anywhere ends the run.</summary>
    public void Abort() => _abort.Cancel();

    private void Merge(Func<ShardOutput, bool> isLast)
    {
        int open = _shards.Length;
        try
        {
            while (open > 0)
            {
                var output = _outputs.Take();
                if (output.Failure is not null)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(output.Failure);
                _merger.Take(output);
                if (isLast(output)) open--;
            }
        }
        catch
        {
            Abort();
            throw;
        }
    }
}
