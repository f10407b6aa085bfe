namespace PortAudit.Report.Plot;

/// <summary>A value axis: its extent, rounded out to whole ticks, and the ticks themselves.</summary>
internal sealed record NiceAxis(double Min, double Max, double Step, IReadOnlyList<double> Ticks);

/// <summary>
/// Ticks at 1, 2 or 5 times a power of ten, so readers can interpolate between gridlines in their head.
/// </summary>
internal static class NiceTicks
{
    /// <param name="min">Smallest value to show.</param>
    /// <param name="max">Largest value to show.</param>
    /// <param name="maxTicks">At most this many intervals (at least 1).</param>
    /// <param name="integral">Values are counts: no step below 1.</param>
    public static NiceAxis Compute(double min, double max, int maxTicks, bool integral)
    {
        if (!double.IsFinite(min)) min = 0;
        if (!double.IsFinite(max)) max = 0;
        if (min > max) (min, max) = (max, min);
        if (max == min)
        {
            // One value, or none: still an axis with a visible span, anchored at zero for counts.
            if (max == 0) max = 1;
            else if (max > 0) min = 0;
            else max = 0;
        }
        maxTicks = Math.Max(1, maxTicks);
        double step = Step((max - min) / maxTicks);
        if (integral) step = Math.Max(1, step);
        double lo = Math.Floor(min / step) * step;
        double hi = Math.Ceiling(max / step) * step;
        int count = (int)Math.Round((hi - lo) / step);
        int decimals = Decimals(step);
        var ticks = new double[count + 1];
        // Each tick from its index, not by repeated addition, so 0.1 + 0.2 never prints as 0.30000000000000004.
        for (int i = 0; i <= count; i++) ticks[i] = Math.Round(lo + i * step, decimals);
        return new NiceAxis(ticks[0], ticks[^1], step, ticks);
    }

    /// <summary>The smallest 1-2-5 step at least <paramref name="raw"/>.</summary>
    public static double Step(double raw)
    {
        if (!(raw > 0) || !double.IsFinite(raw)) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>Decimals needed to print multiples of <paramref name="step"/> exactly.</summary>
    public static int Decimals(double step) =>
        step >= 1 || step <= 0 ? 0 : Math.Min(15, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
}
