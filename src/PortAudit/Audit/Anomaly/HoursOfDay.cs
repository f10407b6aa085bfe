namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Hours of the day (UTC) as a 24-bit mask: those a group's training flows started in, and those the training period
/// covered at all. A flow is off-hours only in an hour the training covered and its group never used: an hour the
/// baseline never saw says nothing (docs/anomaly.md).
/// </summary>
public static class HoursOfDay
{
    private const long HourNs = 3_600_000_000_000;

    /// <summary>Every hour.</summary>
    public const int All = (1 << 24) - 1;

    /// <summary>The bit of the hour (UTC) <paramref name="timeNs"/> falls in.</summary>
    public static int Bit(long timeNs) => 1 << (int)(((timeNs / HourNs) % 24 + 24) % 24);

    /// <summary>The hours from <paramref name="firstNs"/> to <paramref name="lastNs"/>, both included; every hour from a day on.</summary>
    public static int Covered(long firstNs, long lastNs)
    {
        if (lastNs < firstNs) return 0;
        if (lastNs / HourNs - firstNs / HourNs >= 23) return All;
        int mask = 0;
        for (long t = firstNs; t / HourNs <= lastNs / HourNs; t += HourNs) mask |= Bit(t);
        return mask;
    }

    /// <summary>True when <paramref name="timeNs"/>'s hour is in <paramref name="covered"/> but not in <paramref name="used"/>.</summary>
    public static bool Off(long timeNs, int used, int covered) => (covered & Bit(timeNs) & ~used) != 0;

    /// <summary>The hours of <paramref name="mask"/>, 0 to 23, as a model file lists them.</summary>
    public static IEnumerable<int> List(int mask) => Enumerable.Range(0, 24).Where(h => (mask & (1 << h)) != 0);

    /// <summary>The mask of <paramref name="hours"/> (each 0 to 23).</summary>
    /// <exception cref="FormatException">An hour is outside 0 to 23.</exception>
    public static int Mask(IEnumerable<int> hours) =>
        hours.Aggregate(0, (mask, h) => h is >= 0 and < 24 ? mask | (1 << h) : throw new FormatException($"hour {h} is not 0 to 23"));
}
