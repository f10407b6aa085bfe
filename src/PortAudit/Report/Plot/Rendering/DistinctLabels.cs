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
    private static List<List<int>> Clashes(IReadOnlyList<string> texts, string[] shown) =>
        Enumerable.Range(0, shown.Length).GroupBy(i => shown[i], StringComparer.Ordinal)
            .Where(g => g.Select(i => texts[i]).Distinct(StringComparer.Ordinal).Skip(1).Any())
            .Select(g => g.ToList()).ToList();
}
