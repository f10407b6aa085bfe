namespace PortAudit.Common;

/// <summary>
/// Times as flows hold them: nanoseconds since 1970-01-01 UTC in a <see cref="long"/>, which reaches from 1677-09-21 to
/// 2262-04-11. A parsed date outside that span (a hostile record's year 9999, `--since 9999-12-31`) would wrap to a time
/// in another century, silently; it is refused instead.
/// </summary>
public static class UnixTime
{
    /// <summary>
    /// The nanoseconds since the epoch of a UTC time given in .NET ticks (<see cref="DateTime.Ticks"/> of a UTC
    /// <see cref="DateTime"/>, <see cref="DateTimeOffset.UtcTicks"/>); false when they do not fit a <see cref="long"/>.
    /// </summary>
    public static bool TryFromTicks(long utcTicks, out long nanoseconds)
    {
        long ticks = utcTicks - DateTime.UnixEpoch.Ticks;
        if (ticks > long.MaxValue / 100 || ticks < long.MinValue / 100)
        {
            nanoseconds = 0;
            return false;
        }
        nanoseconds = ticks * 100;
        return true;
    }

    /// <summary>
    /// The nanoseconds since the epoch of <paramref name="wallTime"/> read on a clock of <paramref name="zone"/> (its
    /// <see cref="DateTime.Kind"/> is ignored); false for a time the zone skips (clocks put forward) or one that does not
    /// fit. An hour the zone repeats (clocks put back) is read as its standard time, as <see cref="TimeZoneInfo"/> reads it:
    /// the line does not say which pass it was.
    /// </summary>
    public static bool TryFromWallTime(DateTime wallTime, TimeZoneInfo zone, out long nanoseconds)
    {
        var wall = DateTime.SpecifyKind(wallTime, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            nanoseconds = 0;
            return false;
        }
        // Ticks rather than a converted DateTime: 9999-12-31 23:00 at UTC-5 is past DateTime's range, not an exception.
        return TryFromTicks(wall.Ticks - zone.GetUtcOffset(wall).Ticks, out nanoseconds);
    }
}
