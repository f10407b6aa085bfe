using PortAudit.Catalog.Loading;
using PortAudit.Common;
using PortAudit.Inspect;

namespace PortAudit.Catalog;

/// <summary>
/// Loads a catalog directory: <c>roles.yaml</c>, <c>features.yaml</c> and one rule file per
/// source document. Either the whole catalog loads or a <see cref="CatalogException"/> lists
/// every problem found.
/// </summary>
public static class CatalogLoader
{
    /// <summary>File that defines the roles.</summary>
    public const string RolesFile = "roles.yaml";

    /// <summary>File that defines the features rules may be conditioned on.</summary>
    public const string FeaturesFile = "features.yaml";

    /// <summary>File that defines the zones rules may scope their wildcard to; without it, <see cref="Zone.Defaults"/>.</summary>
    public const string ZonesFile = "zones.yaml";

    /// <summary>
    /// Loads and validates the catalog in <paramref name="directory"/>. What does not make the catalog unusable (a
    /// protocol inspection cannot judge) is kept in <see cref="RoleCatalog.Warnings"/>.
    /// </summary>
    /// <param name="directory">The catalog directory.</param>
    /// <param name="localRules">
    /// Site rule files (<c>--local-rules</c>): what a site allows beyond the documents, in the catalog's rule format
    /// without <c>source</c> (a rule's provenance is its file and line), checked like the catalog's and merged with them.
    /// </param>
    /// <exception cref="CatalogException">The directory is missing or any file is invalid.</exception>
    public static RoleCatalog Load(string directory, IReadOnlyList<string>? localRules = null)
    {
        var errors = new ErrorList();
        if (!Directory.Exists(directory))
        {
            errors.Add(new SourceSpot(directory, 1, 1), ExpectedPath.FileInstead(directory, "catalog directory") ?? "catalog directory not found");
            errors.ThrowIfAny();
        }

        var roles = ReadDefinitions(directory, RolesFile, "roles", errors);
        var features = ReadDefinitions(directory, FeaturesFile, "features", errors);
        var zones = ReadZones(directory, errors);
        var drafts = new List<RuleDraft>();
        foreach (var path in RuleFiles(directory))
            drafts.AddRange(new RuleFileReader(DisplayName(directory, path), errors).Read(path));
        foreach (var path in localRules ?? [])
        {
            if (File.Exists(path)) drafts.AddRange(new RuleFileReader(path, errors, local: true).Read(path));
            else errors.Add(new SourceSpot(path, 1, 1), YamlText.NotAFile(path, "site rule"));
        }

        RoleImplicationChecker.Check(roles, errors);
        var checker = new ReferenceChecker(roles.Select(r => r.Value.Id), features.Select(f => f.Value.Id), zones.Select(z => z.Id), errors);
        var labels = new ProtocolLabelChecker(Inspectors.Labels);
        foreach (var draft in drafts)
        {
            checker.Check(draft);
            labels.Check(draft);
        }
        errors.ThrowIfAny();

        return new RoleCatalog(
            roles.Select(r => new Role(r.Value.Id, r.Value.Description) { Implies = r.Value.Implies.Select(i => i.Value).ToArray(), Partner = r.Value.Partner }).ToArray(),
            features.Select(f => new Feature(f.Value.Id, f.Value.Description)).ToArray(),
            drafts.Select(d => d.Rule).ToArray()) { Warnings = labels.Warnings, Zones = zones };
    }

    private static IReadOnlyList<Located<Definition>> ReadDefinitions(
        string directory, string fileName, string listKey, ErrorList errors)
    {
        string path = Path.Combine(directory, fileName);
        string display = DisplayName(directory, path);
        if (File.Exists(path))
            return DefinitionReader.Read(path, display, listKey, errors);
        errors.Add(new SourceSpot(display, 1, 1), $"missing {fileName}");
        return [];
    }

    private static IReadOnlyList<Zone> ReadZones(string directory, ErrorList errors)
    {
        string path = Path.Combine(directory, ZonesFile);
        return File.Exists(path) ? ZoneReader.Read(path, DisplayName(directory, path), errors) : Zone.Defaults;
    }

    private static IEnumerable<string> RuleFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.yaml")
            .Concat(Directory.EnumerateFiles(directory, "*.yml"))
            .Where(p => Path.GetFileName(p) is not (RolesFile or FeaturesFile or ZonesFile))
            .Order(StringComparer.Ordinal);

    private static string DisplayName(string directory, string path) =>
        Path.Combine(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), Path.GetFileName(path));
}
