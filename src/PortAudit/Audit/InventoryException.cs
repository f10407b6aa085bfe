using PortAudit.Catalog;

namespace PortAudit.Audit;

/// <summary>
/// An inventory that cannot be used. Carries every problem found, each naming file:line:column, so one run
/// shows all that needs fixing; the first line of the message is a summary.
/// </summary>
public sealed class InventoryException : InputException
{
    /// <summary>Creates the exception from at least one error.</summary>
    public InventoryException(IReadOnlyList<CatalogError> errors) : base(Describe(errors)) => Errors = errors;

    /// <summary>Every problem found, in file order. (Catalog and inventory share the located-error record.)</summary>
    public IReadOnlyList<CatalogError> Errors { get; }

    private static string Describe(IReadOnlyList<CatalogError> errors) =>
        errors.Count == 1
            ? $"invalid inventory: {errors[0]}"
            : $"invalid inventory: {errors.Count} errors" + Environment.NewLine
              + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
