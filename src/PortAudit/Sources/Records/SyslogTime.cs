using System.Globalization;
using PortAudit.Common;

namespace PortAudit.Sources.Records;

/// <summary>
/// The time at the head of a log line, in the forms firewalls and syslog daemons write: RFC 3164 ("Jun  8 14:34:33",
/// the year assumed), with a year ("Apr 29 2013 12:59:50", as ASA's logging timestamp writes), RFC 5424 and journal
/// ISO-8601 ("2024-05-01T10:00:00.123+02:00"), after an optional &lt;PRI&gt;. Times without a zone are the given zone's.
/// A time without a year is the latest one not after the log was read (a day's grace for a zone ahead of UTC), as
/// syslog-ng and Logstash place them: a log of late December read in January is last year's, not eleven months ahead.
/// </summary>
public static class SyslogTime
{
    private static readonly string[] MonthFirst = ["MMM d yyyy HH:mm:ss", "MMM dd yyyy HH:mm:ss"];

    // A time without a year is parsed in this leap year, then moved to its own: parsed without a year, .NET takes the
    // current one, and "Feb 29" of a year without it failed, so the line counted as one without a time.
    private const string LeapYear = "2000 ";

    // A log written in a zone the site did not name is read as UTC: a time up to 14 hours ahead (UTC+14) is not the future.
    private static readonly TimeSpan FutureGrace = TimeSpan.FromDays(1);

    /// <summary>
    /// Reads the time at the start of <paramref name="line"/>, a time that names no zone being <paramref name="zone"/>'s;
    /// a time without a year takes the latest year in which it is not after <paramref name="readAt"/> (UTC; a day's
    /// grace). False (and 0) when the line does not begin with a time, or with one <paramref name="zone"/> skips.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> line, DateTime readAt, TimeZoneInfo zone, out long nanoseconds)
    {
        nanoseconds = 0;
        if (line.StartsWith("<"))
        {
            int close = line.IndexOf('>');
            if (close < 0) return false;
            line = line[(close + 1)..];
            // RFC 5424: a version digit and a space before the time.
            if (line.Length > 2 && char.IsAsciiDigit(line[0]) && line[1] == ' ') line = line[2..];
        }
        if (line.Length >= 10 && char.IsAsciiDigit(line[0]) && line[4] == '-')
        {
            int space = line.IndexOf(' ');
            return RecordFields.TryParseIso(space < 0 ? line : line[..space], zone, out nanoseconds);
        }
        if (line.Length < 15 || !char.IsAsciiLetter(line[0])) return false;
        // "Apr 29 2013 12:59:50" is 20 characters, "Jun  8 14:34:33" 15: try the longer first.
        Span<char> text = stackalloc char[20 + LeapYear.Length];
        foreach (int length in (ReadOnlySpan<int>)[20, 15])
        {
            if (line.Length < length) continue;
            var candidate = line[..length];
            int n = 0;
            // Collapse the double space RFC 3164 puts before a one-digit day.
            for (int i = 0; i < candidate.Length; i++)
                if (!(candidate[i] == ' ' && n > 0 && text[n - 1] == ' ')) text[n++] = candidate[i];
            if (length == 15)
            {
                // "Feb 29 10:00:00" → "Feb 29 2000 10:00:00": the year goes before the 8 characters of the time.
                const int Clock = 8;
                if (n < Clock) continue;
                text[(n - Clock)..n].CopyTo(text[(n - Clock + LeapYear.Length)..]);
                LeapYear.CopyTo(text[(n - Clock)..]);
                n += LeapYear.Length;
            }
            if (DateTime.TryParseExact(text[..n], MonthFirst, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                if (length == 15) time = LatestNotAfter(time, readAt, zone);
                return UnixTime.TryFromWallTime(time, zone, out nanoseconds);
            }
        }
        return false;
    }

    // The latest year, back from readAt's, in which the day exists (29 February: a leap year, at most eight years back)
    // and the time, read on the zone's clock, is not past readAt and its grace.
    private static DateTime LatestNotAfter(DateTime time, DateTime readAt, TimeZoneInfo zone)
    {
        var latest = readAt + FutureGrace;
        for (int year = latest.Year; ; year--)
        {
            if (time.Day > DateTime.DaysInMonth(year, time.Month)) continue;
            var candidate = new DateTime(year, time.Month, time.Day, time.Hour, time.Minute, time.Second, DateTimeKind.Unspecified);
            if (candidate - zone.GetUtcOffset(candidate) <= latest) return candidate;
        }
    }
}
