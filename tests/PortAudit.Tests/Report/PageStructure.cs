using System.Text.RegularExpressions;

namespace PortAudit.Tests.Report;

/// <summary>What a serialised report page holds, counted per &lt;section&gt;: enough to check the layout without an HTML parser.</summary>
internal static partial class PageStructure
{
    /// <summary>Section id to the number of &lt;svg&gt; elements inside it.</summary>
    public static Dictionary<string, int> SvgsPerSection(string html) =>
        SectionStart().Matches(html).ToDictionary(m => m.Groups[1].Value, m =>
        {
            int end = html.IndexOf("</section>", m.Index, StringComparison.Ordinal);
            return SvgStart().Matches(html[m.Index..end]).Count;
        });

    /// <summary>How many elements named <paramref name="element"/> the markup opens.</summary>
    public static int Count(string html, string element) => Regex.Matches(html, "<" + element + "[\\s>]", RegexOptions.IgnoreCase).Count;

    /// <summary>The document title as serialised.</summary>
    public static string Title(string html) => TitleElement().Match(html).Groups[1].Value;

    [GeneratedRegex("<section id=\"([^\"]+)\"")]
    private static partial Regex SectionStart();

    [GeneratedRegex("<svg[\\s>]")]
    private static partial Regex SvgStart();

    [GeneratedRegex("<title>([^<]*)</title>")]
    private static partial Regex TitleElement();
}
