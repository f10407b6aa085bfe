namespace PortAudit.Catalog;

/// <summary>
/// A catalog that cannot be used. It carries every problem found, not just the first, so one
/// run shows the author all that needs fixing; the first line of the message is a summary.
/// </summary>
public sealed class CatalogException : InputException
{
    /// <summary>Creates the exception from at least one error.</summary>
    public CatalogException(IReadOnlyList<CatalogError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<CatalogError> Errors { get; }

    private static string Describe(IReadOnlyList<CatalogError> errors)
    {
        if (errors.Count == 1)
            return $"invalid catalog: {errors[0]}";
        var lines = errors.Select(e => "  " + e);
        return $"invalid catalog: {errors.Count} errors" + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}
