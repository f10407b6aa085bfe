namespace PortAudit.Report.Plot;

/// <summary>Maps a data interval onto a pixel interval; an empty data interval maps to the middle.</summary>
internal readonly record struct LinearScale(double DomainMin, double DomainMax, double RangeStart, double RangeEnd)
{
    public double Map(double value)
    {
        double span = DomainMax - DomainMin;
        if (span == 0 || !double.IsFinite(span)) return (RangeStart + RangeEnd) / 2;
        return RangeStart + (value - DomainMin) / span * (RangeEnd - RangeStart);
    }
}
