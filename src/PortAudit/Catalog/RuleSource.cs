namespace PortAudit.Catalog;

/// <summary>
/// Where a rule comes from, so that a finding can be traced back to the vendor's own words.
/// </summary>
/// <param name="File">File name of the source document (a seed file name).</param>
/// <param name="Section">Heading of the section that holds the row.</param>
/// <param name="Row">The table row, list item or sentence as written in the document.</param>
public sealed record RuleSource(string File, string Section, string Row)
{
    /// <summary>"seed-file: row", as emitted firewall rules and firewall findings cite the requirement.</summary>
    public string Citation => $"{File}: {Row}";
}
