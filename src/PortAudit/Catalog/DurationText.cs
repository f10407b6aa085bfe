using System.Globalization;

namespace PortAudit.Catalog;

/// <summary>Durations as people write them in rule files and on the command line: "3600", "3600s", "90m", "1.5h", "1d".</summary>
public static class DurationText
{
    /// <summary>Parses a non-negative duration; false for anything else (no unit means seconds).</summary>
    public static bool TryParse(string text, out TimeSpan span)
    {
        span = default;
        text = text.Trim();
        if (text.Length == 0) return false;
        double unit = text[^1] switch { 'd' => 86400, 'h' => 3600, 'm' => 60, 's' => 1, _ => 0 };
        string number = unit == 0 ? text : text[..^1];
        if (unit == 0) unit = 1;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value) || value * unit > TimeSpan.MaxValue.TotalSeconds)
            return false;
        span = TimeSpan.FromSeconds(value * unit);
        return true;
    }

    /// <summary>"45 s", "12 min", "1.5 h": short and readable.</summary>
    public static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? (span.TotalHours).ToString("0.#", CultureInfo.InvariantCulture) + " h"
        : span.TotalMinutes >= 1 ? span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min"
        : span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
