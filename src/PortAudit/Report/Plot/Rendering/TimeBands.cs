namespace PortAudit.Report.Plot;

/// <summary>A series' drawn outline: at each time the band's lower and upper value (lower is 0 for lines).</summary>
internal sealed record TimeBand(TimeSeries Series, (DateTime Time, double Low, double High)[] Points);

/// <summary>
/// The outlines of a <see cref="TimeSeriesChart"/>'s series, as both renderers (the page's SVG, the pictures) draw
/// them: lines from zero, or bands stacked on the union of the series' times.
/// </summary>
internal static class TimeBands
{
    // Plain loops over the points: LINQ over these value types would be JIT-compiled at every start (docs/performance.md).

    public static TimeBand[] Of(TimeSeriesChart chart) =>
        chart.Layout == TimeSeriesLayout.Stacked ? Stack(chart.Series) : Lines(chart.Series);

    private static TimeBand[] Lines(IReadOnlyList<TimeSeries> series)
    {
        var bands = new TimeBand[series.Count];
        for (int i = 0; i < bands.Length; i++)
        {
            var points = new (DateTime, double, double)[series[i].Points.Count];
            for (int j = 0; j < points.Length; j++) points[j] = (series[i].Points[j].Time, 0.0, series[i].Points[j].Value);
            bands[i] = new TimeBand(series[i], points);
        }
        return bands;
    }

    private static TimeBand[] Stack(IReadOnlyList<TimeSeries> series)
    {
        var distinct = new HashSet<long>();
        foreach (var s in series)
            foreach (var p in s.Points) distinct.Add(p.Time.Ticks);
        var ticks = new long[distinct.Count];
        distinct.CopyTo(ticks);
        // With a comparison: Array.Sort's default comparer for long is built by reflection and JIT-compiled.
        Array.Sort(ticks, (a, b) => a.CompareTo(b));
        var times = new DateTime[ticks.Length];
        for (int i = 0; i < ticks.Length; i++) times[i] = new DateTime(ticks[i], DateTimeKind.Utc);
        var baseline = new double[times.Length];
        var bands = new TimeBand[series.Count];
        for (int b = 0; b < bands.Length; b++)
        {
            var s = series[b];
            var sums = new Dictionary<DateTime, double>();
            foreach (var p in s.Points) sums[p.Time] = sums.GetValueOrDefault(p.Time) + p.Value;
            var points = new (DateTime, double, double)[times.Length];
            for (int i = 0; i < times.Length; i++)
            {
                double low = baseline[i];
                baseline[i] += sums.GetValueOrDefault(times[i]);
                points[i] = (times[i], low, baseline[i]);
            }
            bands[b] = new TimeBand(s, points);
        }
        return bands;
    }
}
