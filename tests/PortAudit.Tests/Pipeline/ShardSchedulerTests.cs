using System.Collections.Concurrent;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Pipeline.Shards;

namespace PortAudit.Tests.Pipeline;

/// <summary>
/// Which thread works a split run's batches: a worker its own shard's first, the shared shard's whenever a thread is free,
/// and every shard's batches in the order dealt, one at a time.
/// </summary>
[Trait("Tier", "unit")]
public sealed class ShardSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_decoder_works_the_shared_shards_batches_while_the_worker_is_busy_with_its_own()
    {
        using var run = new SplitRun();
        run.Stages[0].Hold = true;
        run.Deliver(0, ordinal: 1);
        Assert.True(run.Stages[0].Entered.Wait(Patience), "the worker took its own shard's batch");

        run.Deliver(1, ordinal: 2);
        run.Deliver(1, ordinal: 3);
        run.Deliver(1, ordinal: 4);
        run.Scheduler.HelpIfBehind();

        // The only free thread was the caller's; it leaves the last one waiting for a worker about to come free.
        Assert.Equal([2L, 3L], run.Stages[1].Packets.Select(p => p.Ordinal));
        Assert.All(run.Stages[1].Packets, p => Assert.Equal(Environment.CurrentManagedThreadId, p.Thread));
        run.Stages[0].Release();
        Assert.True(SpinWait.SpinUntil(() => run.Stages[1].Packets.Count == 3, Patience), "the worker took the last one");
        Assert.Equal("portaudit-flows-0", run.Stages[1].Packets.Last().ThreadName);
    }

    [Fact]
    public void One_shared_batch_waiting_is_left_to_an_idle_worker()
    {
        using var run = new SplitRun();
        run.Deliver(1, ordinal: 1);
        run.Scheduler.HelpIfBehind();

        Assert.True(run.Stages[1].Entered.Wait(Patience), "the idle worker took the shared batch");
        var worked = Assert.Single(run.Stages[1].Packets);
        Assert.Equal("portaudit-flows-0", worked.ThreadName);
    }

    [Fact]
    public void A_decoder_out_of_empty_batches_works_waiting_shared_ones_rather_than_wait()
    {
        using var run = new SplitRun();
        run.Stages[0].Hold = true;
        run.Deliver(0, ordinal: 1);
        Assert.True(run.Stages[0].Entered.Wait(Patience));
        // Every batch of the shared shard dealt and waiting: the next one to fill can only come from working them here.
        for (int i = 0; i < ShardScheduler.BatchesPerShard; i++) run.Deliver(1, ordinal: 2 + i);

        var empty = run.Scheduler.TakeEmpty(1);

        Assert.Equal(0, empty.Count);
        Assert.Contains(run.Stages[1].Packets, p => p.Thread == Environment.CurrentManagedThreadId);
        run.Stages[0].Release();
    }

    [Fact]
    public void Each_shards_batches_are_worked_in_the_order_dealt_and_never_two_at_once()
    {
        const int Shards = 3, Rounds = 400;
        using var run = new SplitRun(Shards, slow: true);
        long ordinal = 0;
        for (int round = 0; round < Rounds; round++)
        {
            for (int shard = 0; shard < Shards; shard++) run.Deliver(shard, ++ordinal);
            run.Scheduler.HelpIfBehind();
        }
        run.Finish();

        for (int shard = 0; shard < Shards; shard++)
        {
            var seen = run.Stages[shard].Packets.Select(p => p.Ordinal).ToList();
            Assert.Equal(Rounds, seen.Count);
            Assert.Equal(seen.Order(), seen);
            Assert.Equal(0, run.Stages[shard].Overlaps);
        }
    }

    /// <summary>Shards with a recording stage each, their scheduler, and batches of one packet each.</summary>
    private sealed class SplitRun : IDisposable
    {
        private readonly CancellationTokenSource _abort = new();
        private readonly HandOff<ShardOutput> _outputs;
        private readonly FlowShard[] _shards;

        public SplitRun(int count = 2, bool slow = false)
        {
            _outputs = new HandOff<ShardOutput>(abort: _abort.Token);
            Stages = Enumerable.Range(0, count).Select(_ => new RecordingStage { Slow = slow }).ToArray();
            _shards = Enumerable.Range(0, count)
                .Select(i => new FlowShard(i, new FlowTableOptions(), _ => [Stages[i]], _outputs, _abort.Token))
                .ToArray();
            Scheduler = new ShardScheduler(_shards, _abort.Token);
        }

        public RecordingStage[] Stages { get; }

        public ShardScheduler Scheduler { get; }

        public void Deliver(int shard, long ordinal)
        {
            var batch = Scheduler.TakeEmpty(shard);
            var packet = new DecodedPacket
            {
                IpVersion = 4, Source = IpAddr.FromV4(0x0A000001), Destination = IpAddr.FromV4(0x0A000002 + (uint)shard),
                Protocol = IpProtocol.Udp, HasPorts = true, IpBytes = 28,
                // The packet's ordinal rides in its source port, for the stage to read back.
                SourcePort = checked((ushort)ordinal), DestinationPort = 53,
            };
            batch.Add(packet, [], ordinal * 1000, ordinal, ordinal);
            batch.Watermark = ordinal;
            Scheduler.Deliver(shard, batch);
        }

        /// <summary>The last batch of every shard, then the scheduler's end: every batch has been worked after it.</summary>
        public void Finish()
        {
            for (int shard = 0; shard < _shards.Length; shard++)
            {
                var batch = Scheduler.TakeEmpty(shard);
                batch.EndOfRun = true;
                Scheduler.Deliver(shard, batch);
            }
            Scheduler.Finish();
        }

        public void Dispose()
        {
            foreach (var stage in Stages) stage.Release();
            _abort.Cancel();
            _outputs.Dispose();
        }
    }

    /// <summary>Records which thread saw each packet, and whether two threads were ever in it at once.</summary>
    private sealed class RecordingStage : IFlowObserver
    {
        private readonly ManualResetEventSlim _released = new();
        private int _inside;

        public ConcurrentQueue<(long Ordinal, int Thread, string? ThreadName)> Packets { get; } = new();
        public ManualResetEventSlim Entered { get; } = new();
        public bool Hold { get; set; }
        public bool Slow { get; init; }
        public int Overlaps;

        public void Release() => _released.Set();

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload)
        {
            if (Interlocked.Increment(ref _inside) > 1) Interlocked.Increment(ref Overlaps);
            Packets.Enqueue((packet.SourcePort, Environment.CurrentManagedThreadId, Thread.CurrentThread.Name));
            Entered.Set();
            if (Hold) _released.Wait(Patience);
            if (Slow && packet.SourcePort % 7 == 0) Thread.Sleep(1);
            Interlocked.Decrement(ref _inside);
        }

        public void OnFlowEnd(Flow flow) { }
    }
}
