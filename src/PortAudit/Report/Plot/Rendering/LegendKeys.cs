namespace PortAudit.Report.Plot;

/// <summary>Order of colour keys in a legend: verdicts from mildest to worst, then other keys as first used.</summary>
internal static class LegendKeys
{
    // A comparison over strings rather than OrderBy over (key, index, rank) tuples, whose generic code would be
    // JIT-compiled at every start (docs/performance.md). Each key has its own first use, so the order is total.
    public static IReadOnlyList<string> Order(IEnumerable<string> keys)
    {
        var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
        var distinct = new List<string>();
        foreach (var key in keys)
            if (firstUse.TryAdd(key, distinct.Count)) distinct.Add(key);
        distinct.Sort((a, b) => Rank(a) != Rank(b) ? Rank(a).CompareTo(Rank(b)) : firstUse[a].CompareTo(firstUse[b]));
        return distinct;
    }

    public static IReadOnlyList<LegendEntry> Entries(IEnumerable<string> keys, ColorAssigner colors)
    {
        var order = Order(keys);
        var entries = new LegendEntry[order.Count];
        for (int i = 0; i < entries.Length; i++) entries[i] = new LegendEntry(order[i], colors.Color(order[i]));
        return entries;
    }

    private static int Rank(string key) => PlotPalette.VerdictRank(key) is var rank and >= 0 ? rank : int.MaxValue;
}
