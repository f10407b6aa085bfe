using System.Net;
using System.Text.RegularExpressions;

namespace PortAudit.Tests.Report;

/// <summary>The rows of report.html's findings list, as the page writes them or Chromium's --dump-dom shows them after a filter.</summary>
internal static partial class FindingRows
{
    /// <summary>A row: its kind, pair and search text (decoded), and whether the page's script hid it.</summary>
    public sealed record Row(string Kind, string Pair, string Search, bool Hidden);

    public static IReadOnlyList<Row> Of(string dom) =>
        Pattern().Matches(dom).Select(m => new Row(WebUtility.HtmlDecode(m.Groups["kind"].Value), WebUtility.HtmlDecode(m.Groups["pair"].Value),
            WebUtility.HtmlDecode(m.Groups["search"].Value), m.Groups["hidden"].Success)).ToList();

    public static int Count(string dom) => Pattern().Count(dom);

    /// <summary>Asserts that the list shows <paramref name="count"/> rows, exactly those whose search text holds every word.</summary>
    public static void AssertShown(string dom, int count, params string[] words)
    {
        var rows = Of(dom);
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(!words.All(w => r.Search.Contains(w, StringComparison.Ordinal)), r.Hidden));
        Assert.Equal(count, rows.Count(r => !r.Hidden));
    }

    // Attribute values hold no quote (the page escapes it as &quot;), so a row's start tag is matched attribute by attribute.
    [GeneratedRegex("<tr class=\"[a-z]+\" data-severity=\"[^\"]*\" data-kind=\"(?<kind>[^\"]*)\" data-pair=\"(?<pair>[^\"]*)\" data-search=\"(?<search>[^\"]*)\"(?<hidden> hidden=\"\")?>")]
    private static partial Regex Pattern();
}
