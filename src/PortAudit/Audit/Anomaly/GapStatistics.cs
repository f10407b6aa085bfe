namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Running statistics of the gaps between events (packets of a flow, or flows of a host pair): how many, the largest,
/// and their coefficient of variation, the measure of a steady beat.
/// </summary>
public struct GapStatistics
{
    private double _sum;
    private double _squares;

    /// <summary>Gaps counted.</summary>
    public long Count { get; private set; }

    /// <summary>The longest gap, seconds.</summary>
    public double Max { get; private set; }

    /// <summary>
    /// The gaps' coefficient of variation (standard deviation over mean): near 0 for a steady beat. With fewer than two
    /// gaps there is no beat to measure, and it is 1, that of random arrivals.
    /// </summary>
    public readonly double Variation
    {
        get
        {
            if (Count < 2 || _sum <= 0) return 1;
            double mean = _sum / Count;
            return Math.Sqrt(Math.Max(0, _squares / Count - mean * mean)) / mean;
        }
    }

    /// <summary>Counts a gap of <paramref name="seconds"/> (negative ones as 0).</summary>
    public void Add(double seconds)
    {
        seconds = Math.Max(0, seconds);
        Count++;
        _sum += seconds;
        _squares += seconds * seconds;
        Max = Math.Max(Max, seconds);
    }
}
