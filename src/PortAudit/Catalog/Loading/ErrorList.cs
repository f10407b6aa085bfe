namespace PortAudit.Catalog.Loading;

/// <summary>
/// Collects problems across all catalog files so that the loader reports them together and
/// decides once, at the end, whether the catalog may be used.
/// </summary>
internal sealed class ErrorList
{
    private readonly List<CatalogError> _errors = [];

    public int Count => _errors.Count;

    public void Add(CatalogError error) => _errors.Add(error);

    public void Add(SourceSpot spot, string problem) => _errors.Add(spot.Error(problem));

    /// <summary>Throws when anything was reported, so that a broken catalog is never half-used.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new CatalogException(_errors.ToArray());
    }
}
