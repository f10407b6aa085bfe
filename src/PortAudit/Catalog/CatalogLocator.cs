namespace PortAudit.Catalog;

/// <summary>
/// Finds the default catalog, the <c>rules</c> directory of a checkout, so that the CLI works
/// both from the repository root and from a build output directory below it.
/// </summary>
public static class CatalogLocator
{
    /// <summary>Name of the catalog directory.</summary>
    public const string DirectoryName = "rules";

    /// <summary>
    /// The first <c>rules</c> directory holding a roles file, searching upwards from each start
    /// directory in turn; null when there is none.
    /// </summary>
    public static string? Find(params string[] startDirectories)
    {
        foreach (var start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, DirectoryName);
                if (File.Exists(Path.Combine(candidate, CatalogLoader.RolesFile)))
                    return candidate;
            }
        }
        return null;
    }
}
