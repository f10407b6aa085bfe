using PortAudit.Audit;
using PortAudit.Audit.Timeline;
using PortAudit.Common;
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
        var names = PlotNames.Of(pair);

        canvas.Page.Heading(3, "Over time");
        canvas.Views(PairAnchor.Id(pair) + "-time",
        [
            ("by verdict", names.FlowsByVerdict, Chart($"Flows started per {bin}, by verdict", bin, Split(series, s => s.Key))),
            ("by rule", names.FlowsByRule, Chart($"Flows started per {bin}, by rule", bin, Split(series, RuleLabels(series)))),
        ], "Flows counted in the bin where they started; a blocked attempt a required rule covers shows as required-blocked.");

        canvas.Page.Heading(3, "By port");
        var ports = pair.Ports.Ports;
        canvas.Figure(names.BytesByPort, new BarChart("Bytes per server port, by verdict", ValueUnit.Bytes, PortBars(ports)),
            ports.Count > MaxPorts
                ? $"IP bytes both ways, per server port and transport: the {MaxPorts} busiest, the other {ports.Count - MaxPorts} summed (report.json lists them)."
                : "IP bytes both ways, per server port and transport.");

        TimeSeriesChart Chart(string title, string width, IEnumerable<TimeSeries> split) =>
            new(title, ValueUnit.Flows, split, TimeSeriesLayout.Stacked, $"Flows per {width}");
    }

    /// <summary>
    /// The busiest ports apart, the rest summed in one bar: a scan touches hundreds of ports, and a bar each made one
    /// pair's chart longer than the page (and most of its weight).
    /// </summary>
    private static IEnumerable<BarCategory> PortBars(IReadOnlyList<PortBytes> ports)
    {
        // Plain loops: LINQ over the (key, bytes) pairs and bins, value types, is JIT-compiled at every start (docs/performance.md).
        var bars = new List<BarCategory>();
        var rest = new Dictionary<string, long>(StringComparer.Ordinal);
        var restOrder = new List<string>();
        foreach (var port in ports)
        {
            if (port.Label != PortTraffic.OtherLabel && bars.Count < MaxPorts)
            {
                var segments = new List<BarSegment>(port.BytesByKey.Count);
                foreach (var (key, bytes) in port.BytesByKey) segments.Add(new BarSegment(key, bytes));
                bars.Add(new BarCategory(port.Label, segments));
                continue;
            }
            foreach (var (key, bytes) in port.BytesByKey)
            {
                if (!rest.TryGetValue(key, out long sum)) restOrder.Add(key);
                rest[key] = Saturating.Add(sum, bytes);
            }
        }
        if (restOrder.Count > 0)
            bars.Add(new BarCategory(PortTraffic.OtherLabel, restOrder.ConvertAll(key => new BarSegment(key, rest[key]))));
        return bars;
    }

    /// <summary>The busiest rules by name, the rest summed: the legend stays readable for a pair with many rules.</summary>
    private static Func<TimelineSeries, string> RuleLabels(IReadOnlyList<TimelineSeries> series)
    {
        var bytes = new Dictionary<string, double>();
        var rules = new List<string>();
        foreach (var s in series)
        {
            string rule = s.Rule ?? NoRule;
            double sum = 0;
            for (int i = 0; i < s.Bins.Count; i++) sum += s.Bins[i].Bytes;
            if (!bytes.TryGetValue(rule, out double total)) rules.Add(rule);
            bytes[rule] = total + sum;
        }
        // Most bytes first, then by name; the names are distinct, so the order is total.
        rules.Sort((a, b) => bytes[a] != bytes[b] ? bytes[b].CompareTo(bytes[a]) : string.CompareOrdinal(a, b));
        var kept = rules.Take(MaxRules).ToHashSet();
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
            var sums = new Dictionary<long, long>();
            foreach (var s in group)
                for (int i = 0; i < s.Bins.Count; i++)
                    sums[s.Bins[i].StartNs] = checked(sums.GetValueOrDefault(s.Bins[i].StartNs) + s.Bins[i].Flows);
            var points = new List<TimePoint>((int)(last - first + 1));
            for (long bin = first; bin <= last; bin++)
                points.Add(TimePoint.FromNanoseconds(bin * width, (double)sums.GetValueOrDefault(bin * width)));
            yield return new TimeSeries(group.Key, points);
        }
    }
}
