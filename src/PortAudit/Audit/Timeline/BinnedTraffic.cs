namespace PortAudit.Audit.Timeline;

/// <summary>Flows and bytes of one bin.</summary>
/// <param name="StartNs">Start of the bin, nanoseconds since the epoch.</param>
/// <param name="Flows">Flows that started in the bin.</param>
/// <param name="Bytes">IP bytes both ways carried in the bin.</param>
public readonly record struct TrafficBin(long StartNs, long Flows, double Bytes);

/// <summary>
/// One series of bins (one rule and verdict of one role pair). Flows count in the bin of their start; a flow's
/// bytes are spread over the bins its duration overlaps, in proportion to the overlap, because long sessions
/// (a TLS registration held for hours) would otherwise show as one spike at their start. Spreading costs at most
/// <see cref="TimeBinClock.MaxBins"/> steps per flow.
/// </summary>
internal sealed class BinnedTraffic
{
    private Dictionary<long, (long Flows, double Bytes)> _bins = [];
    private long _widthNs;

    public void Add(TimeBinClock clock, long startNs, long endNs, long bytes)
    {
        Coarsen(clock.WidthNs);
        long first = clock.Bin(startNs), last = clock.Bin(endNs);
        Accumulate(first, 1, 0);
        if (bytes == 0) return;
        if (first == last || endNs <= startNs)
        {
            Accumulate(first, 0, bytes);
            return;
        }
        double perNs = (double)bytes / (endNs - startNs);
        for (long bin = first; bin <= last; bin++)
        {
            long from = Math.Max(startNs, bin * _widthNs), to = Math.Min(endNs, (bin + 1) * _widthNs);
            Accumulate(bin, 0, perNs * (to - from));
        }
    }

    /// <summary>The bins at <paramref name="widthNs"/> (a width at least the one used so far), oldest first.</summary>
    /// <remarks>
    /// Plain loops where GroupBy, Sum and OrderBy over these value types would be JIT-compiled at every start
    /// (docs/performance.md, Startup); the sums add in the same order, so the figures are the same to the bit.
    /// </remarks>
    public List<TrafficBin> Bins(long widthNs)
    {
        long factor = _widthNs == 0 ? 1 : widthNs / _widthNs;
        var merged = new List<TrafficBin>(_bins.Count);
        var slots = new Dictionary<long, int>(_bins.Count);
        foreach (var (bin, (flows, bytes)) in _bins)
        {
            long start = bin / factor * widthNs;
            if (slots.TryGetValue(start, out int slot))
                merged[slot] = merged[slot] with { Flows = merged[slot].Flows + flows, Bytes = merged[slot].Bytes + bytes };
            else
            {
                slots.Add(start, merged.Count);
                merged.Add(new TrafficBin(start, flows, bytes));
            }
        }
        // At most MaxBins + 1 distinct starts, mostly in order already: an insertion sort.
        for (int i = 1; i < merged.Count; i++)
            for (int j = i; j > 0 && merged[j - 1].StartNs > merged[j].StartNs; j--)
                (merged[j - 1], merged[j]) = (merged[j], merged[j - 1]);
        return merged;
    }

    private void Accumulate(long bin, long flows, double bytes)
    {
        var (f, b) = _bins.GetValueOrDefault(bin);
        _bins[bin] = (f + flows, b + bytes);
    }

    private void Coarsen(long widthNs)
    {
        if (widthNs == _widthNs) return;
        if (_widthNs != 0)
        {
            var coarser = new Dictionary<long, (long Flows, double Bytes)>();
            foreach (var bin in Bins(widthNs)) coarser.Add(bin.StartNs / widthNs, (bin.Flows, bin.Bytes));
            _bins = coarser;
        }
        _widthNs = widthNs;
    }
}
