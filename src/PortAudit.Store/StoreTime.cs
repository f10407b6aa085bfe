namespace PortAudit.Store;

/// <summary>
/// The store's times in one place: PostgreSQL's binary timestamps count microseconds from 2000-01-01 UTC, and the
/// store's days (PostgreSQL's partitions, a spool frame's days, a lake's day directories) are UTC days since the Unix
/// epoch.
/// </summary>
internal static class StoreTime
{
    /// <summary>Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01.</summary>
    public const long PostgresEpochMicros = 946_684_800_000_000;

    private const long MicrosPerDay = 86_400_000_000;
    private static readonly int UnixEpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>The UTC day, counted from the Unix epoch, of <paramref name="unixMicros"/> (earlier times round down).</summary>
    public static int DayOf(long unixMicros) => (int)(Math.DivRem(unixMicros, MicrosPerDay, out long rest) - (rest < 0 ? 1 : 0));

    /// <summary>True when <paramref name="unixDay"/> has a <see cref="Date"/> (the years 1 to 9999).</summary>
    public static bool IsDate(int unixDay) =>
        (long)UnixEpochDayNumber + unixDay is var number && number >= DateOnly.MinValue.DayNumber && number <= DateOnly.MaxValue.DayNumber;

    /// <summary>The date of a day counted from the Unix epoch.</summary>
    public static DateOnly Date(int unixDay) => DateOnly.FromDayNumber(UnixEpochDayNumber + unixDay);
}
