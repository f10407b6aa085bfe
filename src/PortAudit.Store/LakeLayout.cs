using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PortAudit.Store;

/// <summary>
/// Where a lake keeps its files: <c>DIR/sensor=NAME/day=YYYY-MM-DD/part-TIME-RANDOM.parquet</c>, partitioned the Hive
/// way so that DuckDB, Spark and Trino read <c>sensor</c> and <c>day</c> as columns and prune by them. A file is
/// written under a hidden temporary name in its partition (<c>.part-….parquet.tmp</c>, which no reader's
/// <c>*.parquet</c> matches) and renamed when complete.
/// </summary>
public static class LakeLayout
{
    /// <summary>The pattern of every complete file of a lake under <paramref name="directory"/>.</summary>
    public static string Files(string directory) => Path.Combine(directory, "**", "*.parquet");

    /// <summary>True when <paramref name="store"/> (a <c>--store</c> value) names a lake: a directory, written with a trailing slash.</summary>
    public static bool Names(string store) => store.EndsWith('/') || store.EndsWith(Path.DirectorySeparatorChar);

    /// <summary>
    /// The partition directory name of <paramref name="sensor"/>: <c>sensor=</c> and the name escaped as Hive escapes
    /// partition values (<see cref="Escape"/>), which DuckDB and Spark unescape, so the <c>sensor</c> column reads back
    /// as the name given.
    /// </summary>
    public static string SensorDirectory(string sensor) => "sensor=" + Escape(sensor);

    /// <summary>The partition directory name of a UTC day.</summary>
    public static string DayDirectory(DateOnly day) => "day=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// A file name no other writer picks: the time it was opened (UTC, milliseconds) and 64 random bits, so that several
    /// runs of one sensor, or of sensors given the same name, writing one partition at once never meet; names sort by time.
    /// </summary>
    public static string PartName(DateTimeOffset opened) =>
        string.Create(CultureInfo.InvariantCulture, $"part-{opened.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.parquet");

    /// <summary>The name a file is written under until it is complete: hidden, and not matched by <c>*.parquet</c>.</summary>
    public static string TemporaryName(string partName) => "." + partName + ".tmp";

    /// <summary>
    /// A partition value made path-safe as Hive makes it: every byte of the UTF-8 name that is not an ASCII letter,
    /// digit, <c>-</c>, <c>_</c> or <c>.</c> becomes <c>%XX</c>; so a name with <c>/</c>, <c>..</c> segments, <c>=</c>
    /// or control characters stays one directory, inside the lake. An empty name, and <c>.</c> and <c>..</c>, are
    /// refused by the caller's option check (<c>--sensor</c> must not be empty) or escaped here (a dot alone).
    /// </summary>
    public static string Escape(string value)
    {
        if (value is "." or "..") return value.Replace(".", "%2E", StringComparison.Ordinal);
        var text = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.') text.Append((char)b);
            else text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
