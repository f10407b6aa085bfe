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
}
