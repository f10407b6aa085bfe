namespace PortAudit.Report.Plot;

/// <summary>One value at one moment (UTC), e.g. the bytes of a one-minute bin starting at <see cref="Time"/>.</summary>
public readonly record struct TimePoint
{
    /// <param name="time">The moment; a local or unspecified time is read as UTC.</param>
    /// <param name="value">A finite value.</param>
    public TimePoint(DateTime time, double value)
    {
        Time = DateTime.SpecifyKind(time, DateTimeKind.Utc);
        Value = Checks.Finite(value, nameof(value));
    }

    /// <summary>The moment, UTC.</summary>
    public DateTime Time { get; }

    /// <summary>The value at <see cref="Time"/>.</summary>
    public double Value { get; }

    /// <summary>A point at a capture time held as nanoseconds since the Unix epoch.</summary>
    public static TimePoint FromNanoseconds(long nanoseconds, double value) =>
        new(DateTime.UnixEpoch.AddTicks(nanoseconds / 100), value);
}

/// <summary>A named line (or band, when stacked) of a <see cref="TimeSeriesChart"/>.</summary>
public sealed class TimeSeries
{
    /// <param name="name">Legend text, e.g. a rule id or a verdict.</param>
    /// <param name="points">The points, in any order.</param>
    /// <param name="colorKey">Picks the colour: a verdict name gets its fixed colour (<see cref="PlotPalette"/>);
    /// null uses <paramref name="name"/>.</param>
    public TimeSeries(string name, IEnumerable<TimePoint> points, string? colorKey = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        ArgumentNullException.ThrowIfNull(points);
        var all = points.ToArray();
        // Points come oldest first from the report; sorting only when they do not keeps OrderBy over this value type,
        // JIT-compiled at every start (docs/performance.md), off the common path.
        Points = InTimeOrder(all) ? all : all.OrderBy(p => p.Time).ToArray();
        ColorKey = colorKey ?? name;
    }

    /// <summary>Legend text.</summary>
    public string Name { get; }

    private static bool InTimeOrder(TimePoint[] points)
    {
        for (int i = 1; i < points.Length; i++)
            if (points[i].Time < points[i - 1].Time) return false;
        return true;
    }

    /// <summary>The points, oldest first.</summary>
    public IReadOnlyList<TimePoint> Points { get; }

    /// <summary>The key that picks the series' colour.</summary>
    public string ColorKey { get; }
}

/// <summary>How the series of a <see cref="TimeSeriesChart"/> share the plot.</summary>
public enum TimeSeriesLayout
{
    /// <summary>One line per series, each from zero.</summary>
    Lines,

    /// <summary>Bands stacked on each other: the top edge is the total. A series without a point at another
    /// series' time counts 0 there, as binned counts do.</summary>
    Stacked,
}

/// <summary>Values over time, e.g. flows per minute split by verdict.</summary>
public sealed class TimeSeriesChart
{
    /// <param name="title">Heading drawn above the plot.</param>
    /// <param name="unit">What the values count.</param>
    /// <param name="series">The series, drawn and listed in the legend in this order.</param>
    /// <param name="layout">Lines or stacked bands.</param>
    /// <param name="valueTitle">Value axis title, e.g. "Bytes per minute"; the unit's name when null.</param>
    public TimeSeriesChart(string title, ValueUnit unit, IEnumerable<TimeSeries> series,
        TimeSeriesLayout layout = TimeSeriesLayout.Lines, string? valueTitle = null)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        Unit = unit;
        Series = Checks.List(series, nameof(series));
        Layout = layout;
        ValueTitle = valueTitle;
    }

    /// <summary>Heading drawn above the plot.</summary>
    public string Title { get; }

    /// <summary>What the values count.</summary>
    public ValueUnit Unit { get; }

    /// <summary>The series in drawing and legend order.</summary>
    public IReadOnlyList<TimeSeries> Series { get; }

    /// <summary>Lines or stacked bands.</summary>
    public TimeSeriesLayout Layout { get; }

    /// <summary>Value axis title; null for the unit's name.</summary>
    public string? ValueTitle { get; }
}
