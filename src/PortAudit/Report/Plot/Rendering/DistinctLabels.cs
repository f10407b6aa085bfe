namespace PortAudit.Report.Plot;

/// <summary>
/// Shortened forms of a set of labels that stay tell-apart: two matrix columns "domain-controller+global-catalog+dns"
/// and "…+dhcp" must not both read "domain-controller+glo…". Labels are cut at the end where that keeps them distinct,
/// else in the middle (head and tail kept); labels still alike are numbered, "(1)", "(2)", in their order.
/// </summary>
internal static class DistinctLabels
{
    public static string[] Shorten(IReadOnlyList<string> texts, int maxChars)
    {
        var shown = texts.Select(t => Label.Shorten(t, maxChars)).ToArray();
        foreach (var clash in Clashes(texts, shown))
            foreach (int i in clash) shown[i] = Label.ShortenMiddle(texts[i], maxChars);
        foreach (var clash in Clashes(texts, shown))
            for (int n = 0; n < clash.Count; n++)
            {
                int i = clash[n];
                string number = $" ({n + 1})";
                shown[i] = Label.ShortenMiddle(texts[i], Math.Max(1, maxChars - number.Length)) + number;
            }
        return shown;
    }

    /// <summary>Groups of indexes whose shown forms are equal although their texts differ.</summary>
    /// <remarks>Plain loops: GroupBy over int indexes is JIT-compiled at every start (docs/performance.md).</remarks>
    private static List<List<int>> Clashes(IReadOnlyList<string> texts, string[] shown)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var inOrder = new List<List<int>>();
        for (int i = 0; i < shown.Length; i++)
        {
            if (!groups.TryGetValue(shown[i], out var group))
            {
                groups.Add(shown[i], group = []);
                inOrder.Add(group);
            }
            group.Add(i);
        }
        return inOrder.FindAll(group => group.Exists(i => !string.Equals(texts[i], texts[group[0]], StringComparison.Ordinal)));
    }
}
