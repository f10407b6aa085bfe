
namespace PortAudit.Catalog;

/// <summary>
/// An inventory that cannot be used. Carries every problem found, each naming file:line:column, so one run
/// shows all that needs fixing; the first line of the message is a summary. (Catalog and inventory share the
/// located-error record.)
/// </summary>
public sealed class InventoryException : LocatedInputException
{
    /// <summary>Creates the exception from at least one error.</summary>
    /// <param name="errors">The errors to show, in file order.</param>
    /// <param name="errorCount">How many were found in all; more than <paramref name="errors"/> holds when the rest were only counted.</param>
    public InventoryException(IReadOnlyList<CatalogError> errors, int errorCount = 0) : base("inventory", errors, errorCount) { }
}
