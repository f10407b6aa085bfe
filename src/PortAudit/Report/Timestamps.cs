namespace PortAudit.Report;

/// <summary>Formats capture times, held as nanoseconds since the epoch, for output.</summary>
public static class Timestamps
{
    /// <summary>Length of the ISO form: 2024-05-01T12:00:00.123456Z.</summary>
    public const int IsoLength = 27;

    /// <summary>ISO 8601 UTC with microseconds, e.g. 2024-05-01T12:00:00.123456Z.</summary>
    public static string ToIso(long nanoseconds)
    {
        Span<char> buffer = stackalloc char[IsoLength];
        return new string(buffer[..Format(nanoseconds, buffer)]);
    }

    /// <summary>Writes the ISO form into <paramref name="destination"/> (at least 27 chars); returns the length.</summary>
    public static int Format(long nanoseconds, Span<char> destination)
    {
        var time = DateTime.UnixEpoch.AddTicks(Math.Max(0, nanoseconds) / 100);
        int micro = (int)(time.Ticks / 10 % 1_000_000);
        var d = destination[..IsoLength];
        Digits(d[..4], time.Year);
        d[4] = '-';
        Digits(d.Slice(5, 2), time.Month);
        d[7] = '-';
        Digits(d.Slice(8, 2), time.Day);
        d[10] = 'T';
        Digits(d.Slice(11, 2), time.Hour);
        d[13] = ':';
        Digits(d.Slice(14, 2), time.Minute);
        d[16] = ':';
        Digits(d.Slice(17, 2), time.Second);
        d[19] = '.';
        Digits(d.Slice(20, 6), micro);
        d[26] = 'Z';
        return IsoLength;
    }

    private static void Digits(Span<char> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--, value /= 10) destination[i] = (char)('0' + value % 10);
    }
}
