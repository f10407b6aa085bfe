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
    /// A partition value made path-safe as Hive makes it: an ASCII character that is not a letter, digit, <c>-</c>,
    /// <c>_</c> or <c>.</c> becomes <c>%XX</c>, so a name with <c>/</c>, <c>..</c> segments, <c>=</c>, <c>%</c> or
    /// control characters stays one directory inside the lake; other characters stay as they are, as Hive and Spark
    /// leave them (Spark unescapes one character per <c>%XX</c>), but for control characters and lone surrogates,
    /// whose UTF-8 bytes are escaped. <c>.</c> and <c>..</c> alone are escaped whole.
    /// </summary>
    public static string Escape(string value)
    {
        if (value is "." or "..") return value.Replace(".", "%2E", StringComparison.Ordinal);
        var text = new StringBuilder(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in EnumerateRunes(value))
        {
            if (rune.IsAscii ? char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '-' or '_' or '.' : !Rune.IsControl(rune) && rune != Rune.ReplacementChar)
            {
                text.Append(rune.ToString());
                continue;
            }
            foreach (byte b in utf8[..rune.EncodeToUtf8(utf8)]) text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    // Runes of the text, a lone surrogate as U+FFFD (escaped).
    private static IEnumerable<Rune> EnumerateRunes(string value)
    {
        for (int i = 0; i < value.Length;)
        {
            Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out int used);
            i += used;
            yield return rune;
        }
    }
}
