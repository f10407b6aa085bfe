namespace PortAudit.Audit.Timeline;

/// <summary>One series of a role pair's timeline: the flows of one rule (null for none) with one <see cref="TrafficKey"/>.</summary>
/// <param name="Rule">Id of the rule that allowed (or was contradicted by) the flows; null for unexpected and unmapped flows.</param>
/// <param name="Key">The flows' verdict name, or required-blocked (<see cref="TrafficKey"/>).</param>
/// <param name="Bins">Bins with traffic, oldest first, at the clock's final width.</param>
public sealed record TimelineSeries(string? Rule, string Key, IReadOnlyList<TrafficBin> Bins);

/// <summary>
/// Flows and bytes over time for one role pair, per rule and verdict, aggregated into bins as each flow ends so that
/// memory grows with bins and rules, not with flows. Readers split or sum the series by rule or by verdict.
/// </summary>
public sealed class RolePairTimeline
{
    private readonly TimeBinClock _clock;
    private readonly Dictionary<(string?, string), BinnedTraffic> _series = [];
    private LastLookup<(string?, string), BinnedTraffic> _last;

    internal RolePairTimeline(TimeBinClock clock) => _clock = clock;

    /// <summary>Bin width of <see cref="Series"/>, nanoseconds; shared by every pair of one audit.</summary>
    public long BinWidthNs => _clock.WidthNs;

    /// <summary>Start of the time every pair's timeline covers, nanoseconds since the epoch: the same axis for all pairs.</summary>
    public long FirstNs => _clock.FirstNs;

    /// <summary>End of the time every pair's timeline covers, nanoseconds since the epoch.</summary>
    public long LastNs => _clock.LastNs;

    /// <summary>Every series with traffic, at <see cref="BinWidthNs"/>.</summary>
    public IReadOnlyList<TimelineSeries> Series =>
        _series.Select(s => new TimelineSeries(s.Key.Item1, s.Key.Item2, s.Value.Bins(_clock.WidthNs)))
            .OrderBy(s => s.Key, StringComparer.Ordinal).ThenBy(s => s.Rule, StringComparer.Ordinal).ToList();

    internal void Add(FlowVerdict verdict, long startNs, long endNs, long bytes)
    {
        var key = (verdict.Rule?.Id, TrafficKey.Of(verdict));
        if (!_last.TryGet(key, out var series))
        {
            if (!_series.TryGetValue(key, out series)) _series.Add(key, series = new BinnedTraffic());
            _last.Remember(key, series);
        }
        series.Add(_clock, startNs, endNs, bytes);
    }
}
