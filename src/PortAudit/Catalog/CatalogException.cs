namespace PortAudit.Catalog;

/// <summary>
/// A catalog that cannot be used. It carries every problem found, not just the first, so one
/// run shows the author all that needs fixing; the first line of the message is a summary.
/// </summary>
public sealed class CatalogException : LocatedInputException
{
    /// <summary>Creates the exception from the problems found (at most a screenful) and how many there were.</summary>
    public CatalogException(IReadOnlyList<CatalogError> errors, int errorCount = 0) : base("catalog", errors, errorCount) { }
}
