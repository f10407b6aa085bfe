namespace PortAudit.Capture.Live;

/// <summary>
/// How often the standby reader looks at the kernel's buffer. On a busy link the capture thread wakes once per kernel
/// block, hundreds of times a second, and a 2 MB buffer holds a few milliseconds: the standby looks every 2 ms. On a
/// quiet link the capture thread wakes about once per timeout, the buffer holds far longer than a tick, and each look
/// is a wake-up taken from whatever runs on the other CPU: it looks every 20 ms.
/// </summary>
internal struct StandbyPace
{
    /// <summary>The tick on a busy link.</summary>
    public const int BusyMilliseconds = 2;

    /// <summary>The tick on a quiet link, and at the start.</summary>
    public const int QuietMilliseconds = 20;

    // Two wakes of the capture thread in a quiet tick: 100 a second or more, a busy link. Ten busy ticks in a row
    // without one: quiet again (a capture thread late in its wait is looked at on every tick anyway).
    private const int WakesToBusy = 2;
    private const int StillTicksToQuiet = 10;

    private long _lastWaits;
    private int _stillTicks;
    private bool _busy;

    /// <summary>Milliseconds until the next look, given how many waits the capture thread has begun so far.</summary>
    public int Next(long waits)
    {
        long woke = waits - _lastWaits;
        _lastWaits = waits;
        if (!_busy)
        {
            _busy = woke >= WakesToBusy;
        }
        else if (woke > 0)
        {
            _stillTicks = 0;
        }
        else if (++_stillTicks >= StillTicksToQuiet)
        {
            _busy = false;
            _stillTicks = 0;
        }
        return _busy ? BusyMilliseconds : QuietMilliseconds;
    }
}
