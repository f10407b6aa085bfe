using System.Globalization;

namespace PortAudit.Report;

/// <summary>
/// What a report's title says was audited: the capture's name for one, else the run's scope (how many inputs, the time
/// they span, the inventory), at most <see cref="MaxLength"/> characters however many inputs there were, so a browser
/// tab and a ticket's subject line show it whole.
/// </summary>
public static class ReportScope
{
    /// <summary>The longest scope written.</summary>
    public const int MaxLength = 100;

    /// <summary>"lab.pcapng", or "20 captures, 2026-11-21 07:20 to 2026-11-22 09:05 UTC, inventory lab.yaml".</summary>
    public static string Of(AuditInputs run)
    {
        if (run.Captures.Count <= 1) return Shortened(string.Join(", ", run.Captures.Select(Path.GetFileName)));
        string scope = $"{run.Captures.Count} inputs";
        if (run.LastNs > 0) scope += $", {Minute(run.FirstNs)} to {Minute(run.LastNs)} UTC";
        if (run.InventoryName.Length > 0) scope += $", inventory {Path.GetFileName(run.InventoryName)}";
        return Shortened(scope);
    }

    private static string Minute(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    // A name longer than the bound keeps its head and tail, which tell captures of one series apart.
    private static string Shortened(string text)
    {
        if (text.Length <= MaxLength) return text;
        const int Head = (MaxLength - 1) / 2, Tail = MaxLength - 1 - Head;
        return string.Concat(text.AsSpan(0, Head), "…", text.AsSpan(text.Length - Tail));
    }
}
