using System.Globalization;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Report.Html;

/// <summary>Words and numbers as the HTML report prints them, so that every section says a thing the same way.</summary>
internal static class ReportText
{
    public static string Count(long n, string one, string many) =>
        n.ToString("N0", CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);

    /// <summary>"host (role, role)", or the bare host when the roles are not known.</summary>
    public static string Host(string name, IReadOnlyList<string> roles) =>
        roles.Count == 0 ? name : $"{name} ({string.Join(", ", roles)})";

    /// <summary>The rule's origin in the seed document: file, section, then the row as written there.</summary>
    public static string Source(RuleSource source) => $"{source.Shown} § {source.Section}:\n\u201C{source.Row}\u201D";

    /// <summary>
    /// A span of time in the largest unit that keeps it readable, without a zero second part: "850 ms", "42 s",
    /// "3 min 5 s", "5 min", "2 h 10 min", "3 d 4 h", "3 d".
    /// </summary>
    public static string Duration(long nanoseconds)
    {
        var span = TimeSpan.FromTicks(Math.Max(0, nanoseconds) / 100);
        return span.TotalSeconds < 1 ? $"{span.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms"
            : span.TotalMinutes < 1 ? $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
            : span.TotalHours < 1 ? Two(span.Minutes, "min", span.Seconds, "s")
            : span.TotalDays < 1 ? Two(span.Hours, "h", span.Minutes, "min")
            : Two((int)span.TotalDays, "d", span.Hours, "h");
    }

    /// <summary>
    /// A plot's bin width as a reader counts time: "10 ms", "1 s", "5 min", "1 h", "1 d", and whole weeks past a day
    /// ("16 weeks", not "112 d 0 h"), the widths the audit's bin ladder steps through.
    /// </summary>
    public static string BinWidth(long nanoseconds)
    {
        const long Day = 86_400_000_000_000;
        return nanoseconds >= 7 * Day && nanoseconds % (7 * Day) == 0
            ? Count(nanoseconds / (7 * Day), "week", "weeks")
            : Duration(nanoseconds);
    }

    private static string Two(int major, string majorUnit, int minor, string minorUnit) =>
        minor == 0 ? $"{major} {majorUnit}" : $"{major} {majorUnit} {minor} {minorUnit}";

    /// <summary>A capture time, UTC to the microsecond, with a space rather than 'T' so that narrow cells break between date and time.</summary>
    public static string Time(long nanoseconds) => Timestamps.ToIso(nanoseconds).Replace('T', ' ');

    /// <summary>First and last time of a tally, "never", or "no time" for flows whose records carried none.</summary>
    public static string Seen(FlowTally tally) =>
        tally.Flows == 0 ? "never" : tally.Dated == 0 ? "no time" : $"{Time(tally.FirstNs)}\n{Time(tally.LastNs)}";

    /// <summary>Last time of a tally, "never", or "no time".</summary>
    public static string Last(FlowTally tally) =>
        tally.Flows == 0 ? "never" : tally.Dated == 0 ? "no time" : Time(tally.LastNs);

    /// <summary>The detected protocols of sample flows with what inspection read (SNI, method...), one per line.</summary>
    public static string Detected(IEnumerable<FlowSample> samples) =>
        string.Join("\n", samples.Select(s => s.App is null ? null : s.AppDetail is null ? s.App.Name : $"{s.App} ({s.AppDetail})")
            .OfType<string>().Distinct(StringComparer.Ordinal));

    /// <summary>One line per sample flow: when, who to whom, how it ended, and whether the ports turned it against its first packet.</summary>
    public static string Samples(IEnumerable<FlowSample> samples) =>
        string.Join("\n", samples.Select(s =>
            $"{(Flow.Timed(s.StartNs, s.EndNs) ? Time(s.StartNs) : "no time")} {s.Client}:{s.ClientPort} → {s.Server}:{s.ServerPort}/{s.Transport} {s.State}" +
            (s.TurnedByPorts ? $" (sides from the ports: the first packet came from {s.Server})" : "")));
}
