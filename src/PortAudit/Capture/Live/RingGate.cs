namespace PortAudit.Capture.Live;

/// <summary>
/// Which thread may read the kernel's capture buffer: the capture thread, or the standby reader while the capture
/// thread waits. libpcap's handles are not safe for two threads at once, and the records the capture thread returns
/// point into the buffer until its next read, so the capture thread gives the buffer up only once it has finished with
/// every packet, just before it waits, and takes it back when it wakes.
/// </summary>
internal sealed class RingGate
{
    private const int CaptureThread = 0;
    private const int Free = 1;
    private const int Standby = 2;

    private int _holder = CaptureThread;
    // How many times the capture thread gave the buffer up: the standby tells one wait from the next by it.
    private long _waits;

    /// <summary>The number of the capture thread's current or last wait.</summary>
    public long Waits => Volatile.Read(ref _waits);

    /// <summary>True while the capture thread waits and the standby does not hold the buffer.</summary>
    public bool IsFree => Volatile.Read(ref _holder) == Free;

    /// <summary>The capture thread, about to wait: the buffer is free to read until it takes it back.</summary>
    public void Release()
    {
        Interlocked.Increment(ref _waits);
        Volatile.Write(ref _holder, Free);
    }

    /// <summary>The capture thread, awake: takes the buffer back, once the standby has finished with it.</summary>
    public void Reclaim()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _holder, CaptureThread, Free) != Free) spin.SpinOnce();
    }

    /// <summary>
    /// The standby: takes the buffer if the capture thread is still in wait number <paramref name="wait"/>; false when
    /// it has woken since, or woke and waits again.
    /// </summary>
    public bool TryTake(long wait)
    {
        if (Waits != wait || Interlocked.CompareExchange(ref _holder, Standby, Free) != Free) return false;
        // The capture thread counts a wait before it frees the buffer: the same count now means the same wait.
        if (Waits == wait) return true;
        Volatile.Write(ref _holder, Free);
        return false;
    }

    /// <summary>The standby: gives the buffer back.</summary>
    public void Return() => Volatile.Write(ref _holder, Free);
}
