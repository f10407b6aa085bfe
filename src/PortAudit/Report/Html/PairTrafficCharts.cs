using PortAudit.Audit;
using PortAudit.Audit.Timeline;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// The plots of one role pair: flows started over time in one plot with two views, split by verdict or by rule,
/// and bytes per server port split by verdict. Every pair shares the audit's bins and time span, so pairs compare at
/// a glance.
/// </summary>
internal sealed class PairTrafficCharts(RolePairStatistics pair) : IReportSection
{
    /// <summary>Rules drawn apart; more would make the legend longer than the plot.</summary>
    private const int MaxRules = 8;

    /// <summary>Ports drawn as their own bar, busiest first.</summary>
    private const int MaxPorts = 16;

    private const string NoRule = "(no rule)", OtherRules = "(other rules)";

    public void Render(ReportCanvas canvas)
    {
        var timeline = pair.Timeline;
        var series = timeline.Series;
        string bin = ReportText.BinWidth(timeline.BinWidthNs);
        string name = $"{pair.ClientRoles}--{pair.ServerRoles}";

        canvas.Page.Heading(3, "Over time");
        canvas.Views(PairAnchor.Id(pair) + "-time",
        [
            ("by verdict", name + "-flows-by-verdict", Chart($"Flows started per {bin}, by verdict", bin, Split(series, s => s.Key))),
            ("by rule", name + "-flows-by-rule", Chart($"Flows started per {bin}, by rule", bin, Split(series, RuleLabels(series)))),
        ], "Flows counted in the bin where they started; a blocked attempt a required rule covers shows as required-blocked.");

        canvas.Page.Heading(3, "By port");
        var ports = pair.Ports.Ports;
        canvas.Figure(name + "-bytes-by-port", canvas.Renderer.Render(new BarChart("Bytes per server port, by verdict", ValueUnit.Bytes, PortBars(ports))),
            ports.Count > MaxPorts
                ? $"IP bytes both ways, per server port and transport: the {MaxPorts} busiest, the other {ports.Count - MaxPorts} summed (report.json lists them)."
                : "IP bytes both ways, per server port and transport.");

        string Chart(string title, string width, IEnumerable<TimeSeries> split) =>
            canvas.Renderer.Render(new TimeSeriesChart(title, ValueUnit.Flows, split, TimeSeriesLayout.Stacked, $"Flows per {width}"));
    }

    /// <summary>
    /// The busiest ports apart, the rest summed in one bar: a scan touches hundreds of ports, and a bar each made one
    /// pair's chart longer than the page (and most of its weight).
    /// </summary>
    private static IEnumerable<BarCategory> PortBars(IReadOnlyList<PortBytes> ports)
    {
        var kept = ports.Where(p => p.Label != PortTraffic.OtherLabel).Take(MaxPorts).ToList();
        var rest = ports.Except(kept).SelectMany(p => p.BytesByKey).GroupBy(b => b.Key, StringComparer.Ordinal)
            .Select(g => new BarSegment(g.Key, g.Sum(b => b.Value))).ToList();
        var bars = kept.Select(p => new BarCategory(p.Label, p.BytesByKey.Select(b => new BarSegment(b.Key, b.Value))));
        return rest.Count == 0 ? bars : bars.Append(new BarCategory(PortTraffic.OtherLabel, rest));
    }

    /// <summary>The busiest rules by name, the rest summed: the legend stays readable for a pair with many rules.</summary>
    private static Func<TimelineSeries, string> RuleLabels(IReadOnlyList<TimelineSeries> series)
    {
        var kept = series.GroupBy(s => s.Rule ?? NoRule)
            .OrderByDescending(g => g.Sum(s => s.Bins.Sum(b => b.Bytes))).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(MaxRules).Select(g => g.Key).ToHashSet();
        return s => kept.Contains(s.Rule ?? NoRule) ? s.Rule ?? NoRule : OtherRules;
    }

    /// <summary>
    /// Sums <paramref name="series"/> by <paramref name="key"/> and gives every key a point in every bin of the audit's
    /// span, so stacked bands drop to zero where a key had no traffic instead of bridging the gap.
    /// </summary>
    private IEnumerable<TimeSeries> Split(IReadOnlyList<TimelineSeries> series, Func<TimelineSeries, string> key)
    {
        var timeline = pair.Timeline;
        long width = timeline.BinWidthNs;
        long first = timeline.FirstNs / width, last = timeline.LastNs / width;
        foreach (var group in series.GroupBy(key))
        {
            var sums = group.SelectMany(s => s.Bins).GroupBy(b => b.StartNs).ToDictionary(g => g.Key, g => (double)g.Sum(b => b.Flows));
            var points = new List<TimePoint>((int)(last - first + 1));
            for (long bin = first; bin <= last; bin++)
                points.Add(TimePoint.FromNanoseconds(bin * width, sums.GetValueOrDefault(bin * width)));
            yield return new TimeSeries(group.Key, points);
        }
    }
}
