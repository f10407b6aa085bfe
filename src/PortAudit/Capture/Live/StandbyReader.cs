namespace PortAudit.Capture.Live;

/// <summary>
/// A second thread that empties the kernel's capture buffer into a spill buffer while the capture thread is late: the
/// buffer holds a few milliseconds of a busy link, and on a virtual machine the capture thread's CPU now and then does
/// not run for longer than that (docs/live.md). Every 2 ms on a busy link (<see cref="StandbyPace"/>), on another CPU
/// than the capture thread's, it looks whether the buffer has packets ready while the capture thread still waits for
/// them; only then does it take the buffer (<see cref="RingGate"/>), copy out what is there, and give it back. The capture
/// thread reads the spilled packets first when it wakes, so the order is the kernel's.
/// </summary>
internal sealed class StandbyReader : IDisposable
{
    private const string ThreadName = "portaudit-standby";

    private readonly LibPcap.PollFd[] _fds;
    private readonly Func<SpillBuffer, int> _drain;
    private readonly bool _realTime;
    private readonly ulong[] _allowedCpus;
    private Thread? _thread;
    private volatile bool _stopping;
    private int _captureCpu = -1;

    private StandbyReader(int[] fds, int spillBytes, Func<SpillBuffer, int> drain, bool realTime, ulong[] allowedCpus, WakeSignal signal)
    {
        _fds = fds.Select(fd => new LibPcap.PollFd { Fd = fd, Events = LibPcap.PollIn }).ToArray();
        Spill = new SpillBuffer(spillBytes);
        _drain = drain;
        _realTime = realTime;
        _allowedCpus = allowedCpus;
        Signal = signal;
    }

    /// <summary>
    /// A standby for the interfaces of <paramref name="fds"/>, with a spill buffer of <paramref name="spillBytes"/>, or
    /// null where it would be of no use: one CPU only, or no way to wake the capture thread. <paramref name="drain"/> runs
    /// on the standby's thread while it holds the kernel's buffer, moves what is there into the spill buffer it is
    /// given, and returns how many packets it moved.
    /// </summary>
    public static StandbyReader? TryCreate(int[] fds, int spillBytes, Func<SpillBuffer, int> drain, bool realTime)
    {
        if (ThreadPlacement.AllowedCpus() is not { } allowed || ThreadPlacement.Count(allowed) < 2) return null;
        return WakeSignal.TryCreate() is { } signal ? new StandbyReader(fds, spillBytes, drain, realTime, allowed, signal) : null;
    }

    /// <summary>The packets taken and not read yet; the capture thread reads them first.</summary>
    public SpillBuffer Spill { get; }

    /// <summary>Who may read the kernel's buffer.</summary>
    public RingGate Gate { get; } = new();

    /// <summary>Set when the standby has spilled packets; the capture thread waits on it beside its interfaces.</summary>
    public WakeSignal Signal { get; }

    /// <summary>Times the standby emptied the kernel's buffer; read once stopped.</summary>
    public long Takeovers { get; private set; }

    /// <summary>Packets it moved into the spill buffer; read once stopped.</summary>
    public long Packets { get; private set; }

    /// <summary>The most bytes the spill buffer held at once; read once stopped.</summary>
    public int PeakBytes { get; private set; }

    /// <summary>Starts watching; called on the capture thread before its first read.</summary>
    public void Start()
    {
        if (_thread is not null) return;
        _captureCpu = ThreadPlacement.CurrentCpu();
        _thread = new Thread(Run) { IsBackground = true, Name = ThreadName };
        _thread.Start();
    }

    /// <summary>The capture thread, about to wait: notes its CPU and frees the buffer.</summary>
    public void Release()
    {
        Volatile.Write(ref _captureCpu, ThreadPlacement.CurrentCpu());
        Gate.Release();
    }

    /// <summary>Stops watching and waits for the thread (at most a tick and one emptying).</summary>
    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    private void Run()
    {
        // The thread ends with the read: the priority it raises to is not put back.
        ReadingPriority.Raise(_realTime);
        int avoided = -1;
        var pace = new StandbyPace();
        int tick = StandbyPace.QuietMilliseconds;
        while (!_stopping)
        {
            Thread.Sleep(tick);
            int capture = Volatile.Read(ref _captureCpu);
            if (capture != avoided && ThreadPlacement.AvoidCpu(_allowedCpus, capture)) avoided = capture;
            long wait = Gate.Waits;
            tick = pace.Next(wait);
            // Packets ready while the capture thread waits: woken for them, it has not run yet. One between two reads
            // takes the buffer back within microseconds, so a look that catches it there is rare, and costs a copy.
            if (!Gate.IsFree || !AnyReady()) continue;
            if (!Gate.TryTake(wait)) continue;
            int taken = 0;
            bool failed = false;
            try
            {
                taken = _drain(Spill);
            }
            catch (Exception)
            {
                // An interface that failed fails the capture thread's next read too, which reports it; the standby
                // only stops, since a thread of its own has no one to report to.
                failed = true;
            }
            finally
            {
                Gate.Return();
            }
            if (failed) break;
            if (taken == 0) continue;
            Takeovers++;
            Packets += taken;
            PeakBytes = Math.Max(PeakBytes, Spill.BytesHeld);
            Signal.Set();
        }
    }

    private unsafe bool AnyReady()
    {
        fixed (LibPcap.PollFd* fds = _fds)
        {
            for (int i = 0; i < _fds.Length; i++) fds[i].ReturnedEvents = 0;
            return LibPcap.Poll(fds, (nuint)_fds.Length, 0) > 0;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        Signal.Dispose();
    }
}
