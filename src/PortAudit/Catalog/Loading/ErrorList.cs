namespace PortAudit.Catalog.Loading;

/// <summary>
/// Collects problems across all catalog files so that the loader reports them together and
/// decides once, at the end, whether the catalog may be used. Only the first <see cref="MaxKept"/> are kept:
/// a hostile or generated file can hold millions of mistakes, and nobody reads past the first screenful.
/// </summary>
internal sealed class ErrorList
{
    /// <summary>How many errors are kept and shown; the rest are only counted.</summary>
    public const int MaxKept = 50;

    private readonly List<CatalogError> _errors = [];

    /// <summary>The errors kept, in the order reported.</summary>
    public IReadOnlyList<CatalogError> Kept => _errors;

    /// <summary>Every error reported, kept or not.</summary>
    public int Count { get; private set; }

    public void Add(CatalogError error)
    {
        if (_errors.Count < MaxKept)
            _errors.Add(error);
        Count++;
    }

    public void Add(SourceSpot spot, string problem) => Add(spot.Error(problem));

    /// <summary>Throws when anything was reported, so that a broken catalog is never half-used.</summary>
    public void ThrowIfAny()
    {
        if (Count > 0)
            throw new CatalogException(_errors.ToArray(), Count);
    }

    /// <summary>
    /// "invalid SUBJECT: FILE:LINE:COLUMN: problem" for one error; otherwise a count, one error per line and,
    /// past the kept ones, "and N more".
    /// </summary>
    public static string Describe(string subject, IReadOnlyList<CatalogError> errors, int total)
    {
        if (total == 1 && errors.Count == 1)
            return $"invalid {subject}: {errors[0]}";
        var lines = errors.Select(e => "  " + e);
        if (total > errors.Count)
            lines = lines.Append($"  and {total - errors.Count} more");
        return $"invalid {subject}: {total} errors" + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}
