using PortAudit.Sources.Records;

namespace PortAudit.Catalog;

/// <summary>One problem found in a catalog file, with the place a person must edit.</summary>
/// <param name="File">Path of the file as the loader was given it.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Problem">What is wrong, in words that suggest the fix.</param>
public sealed record CatalogError(string File, int Line, int Column, string Problem)
{
    /// <summary>"file:line:column: problem", the form editors and CI logs link to.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Problem}";
}
