using PortAudit.Audit.Timeline;

namespace PortAudit.Tests.Audit;

/// <summary>Per-pair time bins: bounded however long the capture, exact when bins merge, bytes kept when spread.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class TimelineTests
{
    private const long S = 1_000_000_000;
    private static readonly long T0 = 1_700_000_000 * S;

    private static (TimeBinClock Clock, BinnedTraffic Series) Add(params (double Start, double End, long Bytes)[] flows)
    {
        var clock = new TimeBinClock();
        var series = new BinnedTraffic();
        foreach (var (start, end, bytes) in flows)
        {
            long startNs = T0 + (long)(start * S), endNs = T0 + (long)(end * S);
            clock.Cover(startNs, endNs);
            series.Add(clock, startNs, endNs, bytes);
        }
        return (clock, series);
    }

    // Bin places a time before 1970 in 1970's bin: the covered span must agree, or a chart walking every bin from the
    // first to the last walks days of time at the finest width.
    [Fact]
    public void Times_before_1970_are_covered_as_their_bins_place_them()
    {
        var clock = new TimeBinClock();
        clock.Cover(-300_000 * S, -299_990 * S);
        clock.Cover(-10 * S, 5 * S);

        Assert.Equal(0, clock.FirstNs);
        Assert.Equal(5 * S, clock.LastNs);
        Assert.InRange(clock.LastNs / clock.WidthNs - clock.FirstNs / clock.WidthNs + 1, 1, TimeBinClock.MaxBins);
    }

    [Fact]
    public void A_day_of_flows_stays_within_the_bin_limit_and_keeps_every_flow_and_byte()
    {
        var flows = Enumerable.Range(0, 24 * 60).Select(m => (m * 60.0, m * 60.0 + 30, 1000L)).ToArray();

        var (clock, series) = Add(flows);
        var bins = series.Bins(clock.WidthNs).ToList();

        Assert.Equal(30 * 60 * S, clock.WidthNs);
        Assert.Equal(49, bins.Count); // half-hour bins from 00:00 to 24:00:30, within TimeBinClock.MaxBins
        Assert.Equal(24 * 60, bins.Sum(b => b.Flows));
        Assert.Equal(24 * 60 * 1000.0, bins.Sum(b => b.Bytes), precision: 3);
        Assert.All(bins, b => Assert.Equal(0, b.StartNs % clock.WidthNs));
    }

    [Fact]
    public void Bytes_spread_over_the_bins_a_flow_overlaps_and_the_flow_counts_where_it_started()
    {
        // A short flow first fixes a fine width, then a 40 s flow coarsens it to 1 s bins.
        var (clock, series) = Add((0, 0, 10), (0.5, 40.5, 4000));
        var bins = series.Bins(clock.WidthNs).ToList();

        Assert.Equal(1 * S, clock.WidthNs);
        Assert.Equal(41, bins.Count);
        Assert.Equal(2, bins[0].Flows);
        Assert.All(bins.Skip(1), b => Assert.Equal(0, b.Flows));
        Assert.Equal(10 + 50.0, bins[0].Bytes, precision: 6);
        Assert.Equal(100.0, bins[20].Bytes, precision: 6);
        Assert.Equal(50.0, bins[^1].Bytes, precision: 6);
    }

    [Fact]
    public void Coarser_bins_merge_finer_ones_exactly()
    {
        var (clock, series) = Add((0.001, 0.001, 1), (0.015, 0.015, 2));
        Assert.Equal(10_000_000, clock.WidthNs);
        Assert.Equal([1.0, 2.0], series.Bins(clock.WidthNs).Select(b => b.Bytes));

        Assert.Equal([3.0], series.Bins(S).Select(b => b.Bytes));
    }
}
