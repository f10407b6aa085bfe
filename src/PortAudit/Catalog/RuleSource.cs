using System.Globalization;

namespace PortAudit.Catalog;

/// <summary>
/// Where a rule comes from, so that a finding can be traced back to the vendor's own words, or, for a site's own rule
/// (<c>--local-rules</c>), to the file and line where the site wrote it.
/// </summary>
/// <param name="File">File name of the source document (a seed file name), or the site rule file as given.</param>
/// <param name="Section">Heading of the section that holds the row; <see cref="SiteSection"/> for a site rule.</param>
/// <param name="Row">The table row, list item or sentence as written in the document; a site rule's line number.</param>
public sealed record RuleSource(string File, string Section, string Row)
{
    /// <summary>The section of every site rule.</summary>
    public const string SiteSection = "site rule";

    /// <summary>A site's own rule, written at <paramref name="line"/> of <paramref name="file"/>.</summary>
    public static RuleSource Site(string file, int line) => new(file, SiteSection, line.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// The document's title as people cite it ("Microsoft KB832017: Service overview and network port requirements for
    /// the Windows Server system"), from the rule file's <c>document</c>; null where the file names none.
    /// </summary>
    public string? Document { get; init; }

    /// <summary>How a person reads the source: the document's title, else the file's name.</summary>
    public string Shown => Document ?? File;

    /// <summary>True for a site's own rule: allowed here, by the site, not by a vendor document.</summary>
    public bool IsSite => Section == SiteSection;

    /// <summary>
    /// "document: row", as emitted firewall rules and firewall findings cite the requirement for people; "site rule
    /// FILE:LINE" for a site's own. The seed file's name stays in report.json's provenance and the catalog's JSON.
    /// </summary>
    public string Citation => IsSite ? $"{SiteSection} {File}:{Row}" : $"{Shown}: {Row}";
}
