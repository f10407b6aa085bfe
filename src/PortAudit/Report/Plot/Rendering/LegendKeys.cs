namespace PortAudit.Report.Plot;

/// <summary>Order of colour keys in a legend: verdicts from mildest to worst, then other keys as first used.</summary>
internal static class LegendKeys
{
    public static IReadOnlyList<string> Order(IEnumerable<string> keys) =>
        keys.Distinct(StringComparer.Ordinal)
            .Select((key, index) => (key, index, rank: PlotPalette.VerdictRank(key)))
            .OrderBy(k => k.rank < 0 ? int.MaxValue : k.rank)
            .ThenBy(k => k.index)
            .Select(k => k.key)
            .ToArray();

    public static IReadOnlyList<LegendEntry> Entries(IEnumerable<string> keys, ColorAssigner colors) =>
        Order(keys).Select(key => new LegendEntry(key, colors.Color(key))).ToArray();
}
