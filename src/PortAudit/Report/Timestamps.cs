using System.Globalization;

namespace PortAudit.Report;

/// <summary>Formats capture times, held as nanoseconds since the epoch, for output.</summary>
public static class Timestamps
{
    /// <summary>ISO 8601 UTC with microseconds, e.g. 2024-05-01T12:00:00.123456Z.</summary>
    public static string ToIso(long nanoseconds)
    {
        var time = DateTime.UnixEpoch.AddTicks(nanoseconds / 100);
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    }
}
