namespace PortAudit.Pipeline.Shards;

/// <summary>
/// Which thread works which batch of a split run. Every shard but the last has a worker thread of its own, which works
/// that shard's batches first. The last shard is shared: its batches wait in the order dealt and are worked one at a
/// time by whichever thread is free, a worker with nothing of its own waiting, or the decoder once two of them wait or
/// while it has no empty batch to fill. So the cores balance themselves whatever the traffic: the decoder's thread also
/// reads and decodes every packet, and a fixed share of host pairs for it suited one mix of traffic and one machine only
/// (with a third of the host pairs on the bench corpus, the decoder's thread was busy throughout the read and the worker
/// 60% of it).
/// </summary>
/// <remarks>
/// One monitor guards every queue: a worker waits for its own batches and the shared ones at once, and a batch is a few
/// thousand packets, so the monitor is taken a few times per batch. A shard's batches are worked in order and never two
/// at once, so a shard's table sees the packets it would see on one thread.
/// </remarks>
internal sealed class ShardScheduler
{
    /// <summary>Batches of each shard in circulation: being filled, waiting or being worked.</summary>
    public const int BatchesPerShard = 5;

    // The decoder works shared batches when this many wait: one waiting is left for a worker about to come free.
    private const int DecoderHelpsAt = 2;

    private readonly object _gate = new();
    private readonly FlowShard[] _shards;
    private readonly Queue<PacketBatch>[] _waiting;
    private readonly Stack<PacketBatch>[] _empty;
    private readonly int _shared;
    private readonly Thread[] _workers;
    private readonly CancellationToken _abort;
    private bool _sharedBusy;

    /// <summary>Schedules <paramref name="shards"/>; the last is the shared one, and each other gets a thread now.</summary>
    public ShardScheduler(FlowShard[] shards, CancellationToken abort)
    {
        _shards = shards;
        _shared = shards.Length - 1;
        _abort = abort;
        _waiting = new Queue<PacketBatch>[shards.Length];
        _empty = new Stack<PacketBatch>[shards.Length];
        for (int i = 0; i < shards.Length; i++)
        {
            _waiting[i] = new Queue<PacketBatch>(BatchesPerShard);
            _empty[i] = new Stack<PacketBatch>(BatchesPerShard);
            for (int b = 0; b < BatchesPerShard; b++) _empty[i].Push(new PacketBatch());
        }
        abort.Register(static state =>
        {
            var scheduler = (ShardScheduler)state!;
            lock (scheduler._gate) Monitor.PulseAll(scheduler._gate);
        }, this);
        _workers = new Thread[_shared];
        for (int i = 0; i < _shared; i++)
        {
            int own = i;
            _workers[i] = new Thread(() => Serve(own)) { IsBackground = true, Name = $"portaudit-flows-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>
    /// An empty batch of <paramref name="shard"/> to fill. While there is none, the caller works waiting shared batches
    /// rather than wait for a worker. Throws <see cref="OperationCanceledException"/> once the run is aborted.
    /// </summary>
    public PacketBatch TakeEmpty(int shard)
    {
        while (true)
        {
            PacketBatch shared;
            lock (_gate)
            {
                while (true)
                {
                    _abort.ThrowIfCancellationRequested();
                    if (_empty[shard].TryPop(out var empty)) return empty;
                    if (TryClaimShared(1, out shared)) break;
                    Monitor.Wait(_gate);
                }
            }
            WorkShared(shared);
        }
    }

    /// <summary>Queues a filled batch of <paramref name="shard"/> for its thread, or for any thread if shared.</summary>
    public void Deliver(int shard, PacketBatch batch)
    {
        lock (_gate)
        {
            _waiting[shard].Enqueue(batch);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// On the decoder's thread after a round: works shared batches while <see cref="DecoderHelpsAt"/> or more wait, that
    /// is, while the workers have fallen behind.
    /// </summary>
    public void HelpIfBehind() => Help(DecoderHelpsAt);

    /// <summary>Works every shared batch waiting that no other thread has taken; returns when none waits unclaimed.</summary>
    public void HelpWithAll() => Help(1);

    /// <summary>
    /// At the end of the run, after the last batch of every shard was delivered: works the shared batches until none is
    /// left, waiting for a worker that has one, then waits for the workers to end.
    /// </summary>
    public void Finish()
    {
        while (true)
        {
            PacketBatch shared;
            lock (_gate)
            {
                while (!TryClaimShared(1, out shared))
                {
                    _abort.ThrowIfCancellationRequested();
                    if (_waiting[_shared].Count == 0 && !_sharedBusy) goto Done;
                    Monitor.Wait(_gate);
                }
            }
            WorkShared(shared);
        }
        Done:
        foreach (var worker in _workers) worker.Join();
    }

    private void Help(int atLeast)
    {
        while (true)
        {
            PacketBatch shared;
            lock (_gate)
            {
                if (!TryClaimShared(atLeast, out shared)) return;
            }
            WorkShared(shared);
        }
    }

    // Under the gate.
    private bool TryClaimShared(int atLeast, out PacketBatch batch)
    {
        if (!_sharedBusy && _waiting[_shared].Count >= atLeast)
        {
            batch = _waiting[_shared].Dequeue();
            _sharedBusy = true;
            return true;
        }
        batch = null!;
        return false;
    }

    private void WorkShared(PacketBatch batch) => Work(_shared, batch);

    private void Work(int shard, PacketBatch batch)
    {
        _shards[shard].Work(batch);
        batch.Clear();
        lock (_gate)
        {
            _empty[shard].Push(batch);
            if (shard == _shared) _sharedBusy = false;
            Monitor.PulseAll(_gate);
        }
    }

    // A worker: its own shard's batches first, shared ones when its own has none waiting, until its own shard's last batch.
    private void Serve(int own)
    {
        try
        {
            while (true)
            {
                PacketBatch batch;
                int shard;
                lock (_gate)
                {
                    while (true)
                    {
                        _abort.ThrowIfCancellationRequested();
                        if (_waiting[own].TryDequeue(out batch!))
                        {
                            shard = own;
                            break;
                        }
                        if (TryClaimShared(1, out batch))
                        {
                            shard = _shared;
                            break;
                        }
                        Monitor.Wait(_gate);
                    }
                }
                bool last = shard == own && batch.EndOfRun;
                Work(shard, batch);
                if (last) return;
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // The run failed elsewhere and was aborted; that failure is the one reported.
        }
    }
}
