using PortAudit.Catalog;

namespace PortAudit.Audit.Triage;

/// <summary>A suppression file that cannot be used, with every problem at its file:line:column.</summary>
public sealed class SuppressionException : LocatedInputException
{
    /// <summary>Creates the exception from at least one error.</summary>
    /// <param name="errors">The errors to show, in file order.</param>
    /// <param name="errorCount">How many were found in all.</param>
    public SuppressionException(IReadOnlyList<CatalogError> errors, int errorCount = 0) : base("suppressions", errors, errorCount) { }
}
