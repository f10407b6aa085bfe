using System.Globalization;

namespace PortAudit.Report.Plot;

/// <summary>A time axis: its extent, ticks at round UTC times, and each tick's label.</summary>
internal sealed record TimeAxis(DateTime Start, DateTime End, IReadOnlyList<DateTime> Ticks, IReadOnlyList<string> Labels, string Title);

/// <summary>
/// Ticks for a time axis at round steps (1/2/5/10/15/30 s, minutes, hours, days), labelled as precisely as the step
/// needs: seconds for short captures, hours and minutes for a day, dates for weeks. The axis title carries the
/// start date, so tick labels stay short.
/// </summary>
internal static class TimeTicks
{
    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(5),
        TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50),
        TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500),
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(6),
        TimeSpan.FromHours(12),
        TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14),
    ];

    /// <summary>Span given to a chart whose points all share one moment, so that moment sits mid-axis.</summary>
    public static readonly TimeSpan SinglePointPadding = TimeSpan.FromSeconds(30);

    public static TimeAxis Compute(DateTime start, DateTime end, int maxTicks)
    {
        if (end < start) (start, end) = (end, start);
        if (end == start) { start -= SinglePointPadding; end += SinglePointPadding; }
        maxTicks = Math.Max(1, maxTicks);
        TimeSpan step = PickStep(end - start, maxTicks);
        long first = CeilingTicks(start.Ticks, step.Ticks);
        var ticks = new List<DateTime>();
        for (long t = first; t <= end.Ticks; t += step.Ticks) ticks.Add(new DateTime(t, DateTimeKind.Utc));
        var labels = new string[ticks.Count];
        for (int i = 0; i < ticks.Count; i++)
            labels[i] = Label(ticks[i], step, dateChanged: i > 0 && ticks[i].Date != ticks[i - 1].Date);
        string title = "Time (UTC" + (step < TimeSpan.FromDays(1) ? ", from " + start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "") + ")";
        return new TimeAxis(start, end, ticks, labels, title);
    }

    private static TimeSpan PickStep(TimeSpan span, int maxTicks)
    {
        foreach (var step in Steps)
            if (span.Ticks / step.Ticks <= maxTicks) return step;
        // Longer than months: whole weeks, in 1-2-5 multiples.
        double weeks = NiceTicks.Step(span.TotalDays / 7 / maxTicks);
        return TimeSpan.FromDays(7 * Math.Max(1, Math.Round(weeks)));
    }

    private static long CeilingTicks(long value, long step) => (value + step - 1) / step * step;

    private static string Label(DateTime tick, TimeSpan step, bool dateChanged)
    {
        string format = step < TimeSpan.FromSeconds(1) ? "HH:mm:ss.fff"
            : step < TimeSpan.FromMinutes(1) ? "HH:mm:ss"
            : step < TimeSpan.FromDays(1) ? (dateChanged ? "MM-dd HH:mm" : "HH:mm")
            : "yyyy-MM-dd";
        return tick.ToString(format, CultureInfo.InvariantCulture);
    }
}
