namespace PortAudit.Audit.Timeline;

/// <summary>
/// The bin width shared by every role pair's timeline, so that all plots of one report have comparable bins. The
/// width starts fine and steps up a ladder of round widths (each a multiple of the one before, so bins merge
/// exactly) whenever the time seen so far would need more than <see cref="MaxBins"/> bins: memory stays bounded
/// however long the capture is, without knowing its length in advance.
/// </summary>
public sealed class TimeBinClock
{
    /// <summary>Most bins a timeline holds; past it the width steps up.</summary>
    public const int MaxBins = 60;

    private const long Ms = 1_000_000, S = 1000 * Ms, Min = 60 * S, H = 60 * Min, Day = 24 * H;

    private static readonly long[] Ladder =
        [10 * Ms, 20 * Ms, 100 * Ms, 200 * Ms, S, 2 * S, 10 * S, 30 * S, Min, 5 * Min, 10 * Min, 30 * Min, H, 2 * H, 6 * H, 12 * H, Day, 7 * Day];

    private int _step;
    private long _firstNs = long.MaxValue, _lastNs = long.MinValue;

    /// <summary>The current bin width, nanoseconds.</summary>
    public long WidthNs => _step < Ladder.Length ? Ladder[_step] : Ladder[^1] << (_step - Ladder.Length + 1);

    /// <summary>Start of the earliest time covered, nanoseconds since the epoch; 0 before any.</summary>
    public long FirstNs => _firstNs == long.MaxValue ? 0 : _firstNs;

    /// <summary>End of the latest time covered, nanoseconds since the epoch; 0 before any.</summary>
    public long LastNs => _lastNs == long.MinValue ? 0 : _lastNs;

    /// <summary>Index of the bin that holds <paramref name="ns"/> at the current width.</summary>
    public long Bin(long ns) => Math.Max(0, ns) / WidthNs;

    /// <summary>
    /// Widens the covered time to [<paramref name="startNs"/>, <paramref name="endNs"/>] and steps the width up until it
    /// fits. A time before 1970 (a pcapng interface's negative offset) counts as 1970, as <see cref="Bin"/> places it:
    /// the covered time must be what the bins hold, or a reader walking its bins from first to last would walk the
    /// unclamped span at the finest width.
    /// </summary>
    public void Cover(long startNs, long endNs)
    {
        startNs = Math.Max(0, startNs);
        _firstNs = Math.Min(_firstNs, startNs);
        _lastNs = Math.Max(_lastNs, Math.Max(startNs, endNs));
        while (Bin(_lastNs) - Bin(_firstNs) + 1 > MaxBins) _step++;
    }
}
