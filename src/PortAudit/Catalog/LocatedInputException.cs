using PortAudit.Catalog.Loading;
using PortAudit.Common;

namespace PortAudit.Catalog;

/// <summary>
/// A YAML input (inventory, suppression file) that cannot be used. Carries every problem found, each naming
/// file:line:column, so one run shows all that needs fixing; the first line of the message is a summary.
/// </summary>
public abstract class LocatedInputException : InputException
{
    /// <summary>Creates the exception from at least one error.</summary>
    /// <param name="subject">What is invalid, as the first line says: "invalid SUBJECT: ...".</param>
    /// <param name="errors">The errors to show, in file order.</param>
    /// <param name="errorCount">How many were found in all; more than <paramref name="errors"/> holds when the rest were only counted.</param>
    protected LocatedInputException(string subject, IReadOnlyList<CatalogError> errors, int errorCount)
        : base(ErrorList.Describe(subject, errors, Math.Max(errorCount, errors.Count)))
    {
        Errors = errors;
        ErrorCount = Math.Max(errorCount, errors.Count);
    }

    /// <summary>The problems shown, in file order: the first ones found when there were too many to list.</summary>
    public IReadOnlyList<CatalogError> Errors { get; }

    /// <summary>How many problems were found, shown or not.</summary>
    public int ErrorCount { get; }
}
