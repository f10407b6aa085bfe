using PortAudit.Audit;
using PortAudit.Audit.Timeline;
using PortAudit.Report.Plot;

namespace PortAudit.Report.Html;

/// <summary>
/// The plots of one role pair: flows and bytes over time, each split by verdict and by rule, and bytes per server
/// port split by verdict. Every pair shares the audit's bins and time span, so pairs compare at a glance.
/// </summary>
internal sealed class PairTrafficCharts(RolePairStatistics pair) : IReportSection
{
    /// <summary>Rules drawn apart; more would make the legend longer than the plot.</summary>
    private const int MaxRules = 8;

    private const string NoRule = "(no rule)", OtherRules = "(other rules)";

    public void Render(ReportCanvas canvas)
    {
        var timeline = pair.Timeline;
        var series = timeline.Series;
        string bin = ReportText.Duration(timeline.BinWidthNs);
        string name = $"{pair.ClientRoles}--{pair.ServerRoles}";
        var ruleOf = RuleLabels(series);

        canvas.Page.Heading(3, "Over time");
        Chart(canvas, name + "-flows-by-verdict", $"Flows started per {bin}, by verdict", ValueUnit.Flows, $"Flows per {bin}",
            Split(series, s => s.Key, b => b.Flows));
        Chart(canvas, name + "-bytes-by-verdict", $"Bytes per {bin}, by verdict", ValueUnit.Bytes, $"Bytes per {bin}",
            Split(series, s => s.Key, b => b.Bytes));
        Chart(canvas, name + "-flows-by-rule", $"Flows started per {bin}, by rule", ValueUnit.Flows, $"Flows per {bin}",
            Split(series, ruleOf, b => b.Flows));
        Chart(canvas, name + "-bytes-by-rule", $"Bytes per {bin}, by rule", ValueUnit.Bytes, $"Bytes per {bin}",
            Split(series, ruleOf, b => b.Bytes));

        canvas.Page.Heading(3, "By port");
        var bars = pair.Ports.Ports.Select(p => new BarCategory(p.Label, p.BytesByKey.Select(b => new BarSegment(b.Key, b.Value))));
        canvas.Figure(name + "-bytes-by-port", canvas.Renderer.Render(new BarChart("Bytes per server port, by verdict", ValueUnit.Bytes, bars)),
            "IP bytes both ways, per server port and transport.");
    }

    private void Chart(ReportCanvas canvas, string name, string title, ValueUnit unit, string valueTitle, IEnumerable<TimeSeries> series)
    {
        var chart = new TimeSeriesChart(title, unit, series, TimeSeriesLayout.Stacked, valueTitle);
        canvas.Figure(name, canvas.Renderer.Render(chart));
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
    private IEnumerable<TimeSeries> Split(IReadOnlyList<TimelineSeries> series, Func<TimelineSeries, string> key,
        Func<TrafficBin, double> value)
    {
        var timeline = pair.Timeline;
        long width = timeline.BinWidthNs;
        long first = timeline.FirstNs / width, last = timeline.LastNs / width;
        foreach (var group in series.GroupBy(key))
        {
            var sums = group.SelectMany(s => s.Bins).GroupBy(b => b.StartNs).ToDictionary(g => g.Key, g => g.Sum(value));
            var points = new List<TimePoint>((int)(last - first + 1));
            for (long bin = first; bin <= last; bin++)
                points.Add(TimePoint.FromNanoseconds(bin * width, sums.GetValueOrDefault(bin * width)));
            yield return new TimeSeries(group.Key, points);
        }
    }
}
