namespace PortAudit.Report.Plot;

/// <summary>
/// Draws text that may be too long for its place: it is cut to a number of characters with an ellipsis, and the full
/// text goes into a &lt;title&gt; tooltip so nothing is lost.
/// </summary>
internal static class Label
{
    public const char Ellipsis = '…';

    /// <summary><paramref name="text"/> cut to at most <paramref name="maxChars"/> characters, never inside a surrogate pair.</summary>
    public static string Shorten(string text, int maxChars)
    {
        if (text.Length <= maxChars) return text;
        int keep = Math.Max(0, maxChars - 1);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1])) keep--;
        return string.Concat(text.AsSpan(0, keep), Ellipsis.ToString());
    }

    /// <summary>
    /// <paramref name="text"/> cut in the middle to at most <paramref name="maxChars"/> characters: the head and the
    /// tail stay, since role sets and rule ids that share a long prefix differ at their end.
    /// </summary>
    public static string ShortenMiddle(string text, int maxChars)
    {
        if (text.Length <= maxChars) return text;
        int room = Math.Max(0, maxChars - 1);
        int head = (room + 1) / 2, tail = room - head;
        if (head > 0 && char.IsHighSurrogate(text[head - 1])) head--;
        if (tail > 0 && char.IsLowSurrogate(text[^tail])) tail--;
        return string.Concat(text.AsSpan(0, head), Ellipsis.ToString(), text.AsSpan(text.Length - tail));
    }

    /// <param name="svg">Output.</param>
    /// <param name="x">Anchor point.</param>
    /// <param name="y">Baseline.</param>
    /// <param name="text">The full text.</param>
    /// <param name="maxChars">Longest shown form.</param>
    /// <param name="anchor">SVG text-anchor: start, middle or end.</param>
    /// <param name="rotate">Degrees about the anchor point, 0 for none.</param>
    /// <param name="cssClass">Class for styling and tests.</param>
    /// <param name="fontSize">Font size, px.</param>
    public static void Draw(SvgBuilder svg, double x, double y, string text, int maxChars, string anchor = "start",
        double rotate = 0, string? cssClass = null, double fontSize = ChartStyle.FontSize) =>
        DrawShown(svg, x, y, text, Shorten(text, maxChars), anchor, rotate, cssClass, fontSize);

    /// <summary>Draws <paramref name="shown"/> (a shortened form chosen by the caller, e.g. by <see cref="DistinctLabels"/>) for <paramref name="text"/>.</summary>
    public static void DrawShown(SvgBuilder svg, double x, double y, string text, string shown, string anchor = "start",
        double rotate = 0, string? cssClass = null, double fontSize = ChartStyle.FontSize)
    {
        svg.Start("text").Attr("x", x).Attr("y", y).Attr("text-anchor", anchor).Attr("class", cssClass);
        if (fontSize != ChartStyle.FontSize) svg.Attr("font-size", fontSize);
        if (rotate != 0) svg.Attr("transform", $"rotate({SvgBuilder.Number(rotate)} {SvgBuilder.Number(x)} {SvgBuilder.Number(y)})");
        // The tooltip carries the full text only where the shown one differs, so the document holds each label once otherwise.
        if (!string.Equals(shown, text, StringComparison.Ordinal)) svg.Title(text);
        svg.Text(shown).End();
    }
}
