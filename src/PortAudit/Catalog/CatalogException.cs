using PortAudit.Catalog.Loading;
using PortAudit.Common;

namespace PortAudit.Catalog;

/// <summary>
/// A catalog that cannot be used. It carries every problem found, not just the first, so one
/// run shows the author all that needs fixing; the first line of the message is a summary.
/// </summary>
public sealed class CatalogException : InputException
{
    /// <summary>Creates the exception from at least one error.</summary>
    /// <param name="errors">The errors to show, in file order.</param>
    /// <param name="errorCount">How many were found in all; more than <paramref name="errors"/> holds when the rest were only counted.</param>
    public CatalogException(IReadOnlyList<CatalogError> errors, int errorCount = 0)
        : base(ErrorList.Describe("catalog", errors, Math.Max(errorCount, errors.Count)))
    {
        Errors = errors;
        ErrorCount = Math.Max(errorCount, errors.Count);
    }

    /// <summary>The problems shown, in file order: the first ones found when there were too many to list.</summary>
    public IReadOnlyList<CatalogError> Errors { get; }

    /// <summary>How many problems were found, shown or not.</summary>
    public int ErrorCount { get; }
}
