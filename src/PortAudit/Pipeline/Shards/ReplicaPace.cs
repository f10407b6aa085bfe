namespace PortAudit.Pipeline.Shards;

/// <summary>
/// Keeps the replicas of a split read (<see cref="ShardReplica"/>) within <see cref="Lead"/> records of each other. The
/// merger hands a flow on only once every shard has read past it, so a replica far ahead would have the merger hold the
/// flows it ends; the lead bounds them. A replica says how far it has read every few thousand records, and waits there
/// while it is more than the lead ahead of the slowest one still reading. It is also where the replicas agree on the
/// record a stop request ends their reads at (<see cref="StopAt"/>).
/// </summary>
internal sealed class ReplicaPace : IDisposable
{
    /// <summary>Records a replica may read ahead of the slowest one.</summary>
    public const long Lead = 1 << 20;

    // One cache line per replica: each writes its own, and the others read them only when they report.
    private const int Stride = 8;

    private readonly long[] _reached;
    private readonly object _gate = new();
    private readonly CancellationToken _abort;
    // Released with the input: the run's abort token outlives it, and an audit of many captures paces each one.
    private readonly CancellationTokenRegistration _wakeOnAbort;
    private int _waiting;
    // The run ordinal every replica ends its read at once a stop is requested; long.MaxValue until one asks.
    private long _stopAt = long.MaxValue;
    // The furthest run ordinal a replica that is done read to.
    private long _ended = long.MinValue;

    /// <summary>Paces <paramref name="replicas"/> replicas starting at run ordinal <paramref name="start"/>, until <paramref name="abort"/>.</summary>
    public ReplicaPace(int replicas, long start, CancellationToken abort)
    {
        _reached = new long[replicas * Stride];
        for (int i = 0; i < replicas; i++) _reached[i * Stride] = start;
        _abort = abort;
        _wakeOnAbort = abort.Register(static state =>
        {
            var pace = (ReplicaPace)state!;
            lock (pace._gate) Monitor.PulseAll(pace._gate);
        }, this);
    }

    /// <summary>
    /// Replica <paramref name="replica"/> has read up to <paramref name="ordinal"/>; returns once it is no more than
    /// <see cref="Lead"/> ahead of every other. Throws <see cref="OperationCanceledException"/> once the run is aborted.
    /// </summary>
    public void Reached(int replica, long ordinal)
    {
        Report(replica, ordinal);
        if (ordinal - Slowest() <= Lead) return;
        lock (_gate)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                while (ordinal - Slowest() > Lead)
                {
                    _abort.ThrowIfCancellationRequested();
                    Monitor.Wait(_gate);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
    }

    /// <summary>Stops waking waiting replicas when the run is aborted; call once every replica is done.</summary>
    public void Dispose() => _wakeOnAbort.Dispose();

    /// <summary>
    /// Replica <paramref name="replica"/> reads no more, its read ended at run ordinal <paramref name="ordinal"/> (its
    /// input ended or it failed): nobody waits for it.
    /// </summary>
    public void Done(int replica, long ordinal)
    {
        lock (_gate) _ended = Math.Max(_ended, ordinal);
        Report(replica, long.MaxValue);
    }

    /// <summary>
    /// The run ordinal at which every replica ends its read after a stop request, so that the shards together hold the
    /// flows one table holds after that record: the first replica to ask fixes it at or past every replica's place, on
    /// the grid of hand-overs every <paramref name="step"/> records from the start, and the others are told the same.
    /// long.MinValue (at once) when the run is aborted: a failure does not wait for the slowest replica.
    /// </summary>
    /// <remarks>
    /// A replica reports its place at each hand-over, after checking for a stop: one may have checked at the hand-over
    /// after its last report already, so two steps past the furthest report is at or past every replica's next check.
    /// A replica done counts with the record its read ended at: the others then read to the same end of input.
    /// </remarks>
    public long StopAt(long step)
    {
        if (_abort.IsCancellationRequested) return long.MinValue;
        lock (_gate)
        {
            if (_stopAt == long.MaxValue)
            {
                long furthest = _ended;
                for (int i = 0; i < _reached.Length; i += Stride)
                {
                    long reached = Volatile.Read(ref _reached[i]);
                    if (reached != long.MaxValue) furthest = Math.Max(furthest, reached);
                }
                _stopAt = furthest + 2 * step;
            }
            return _stopAt;
        }
    }

    private void Report(int replica, long ordinal)
    {
        // A full fence: a replica about to wait has counted itself before it reads the others' positions, so either it
        // sees this position or this replica sees it waiting, and wakes it.
        Interlocked.Exchange(ref _reached[replica * Stride], ordinal);
        if (Volatile.Read(ref _waiting) > 0)
        {
            lock (_gate) Monitor.PulseAll(_gate);
        }
    }

    private long Slowest()
    {
        long slowest = long.MaxValue;
        for (int i = 0; i < _reached.Length; i += Stride) slowest = Math.Min(slowest, Volatile.Read(ref _reached[i]));
        return slowest;
    }
}
