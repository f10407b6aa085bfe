using System.CommandLine;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Cli;

/// <summary>The --catalog option shared by every command that needs the role catalog.</summary>
public static class CatalogDirectory
{
    /// <summary>A fresh --catalog option (an option belongs to one command).</summary>
    public static Option<string?> CreateOption() => new("--catalog")
    {
        Description = "Catalog directory (default: the nearest 'rules' directory above the current or the program's directory).",
    };

    /// <summary>
    /// --local-rules FILE, repeatable: a site's own rules (what it allows beyond the documents, and why), in the catalog's
    /// rule format, merged with the catalog; each rule cites its file and line.
    /// </summary>
    public static Option<string[]> CreateLocalRulesOption() => new("--local-rules")
    {
        Description = "A site's own rules (YAML 'rules:' list in the catalog's rule format, no 'source' needed), merged with the catalog; repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Loads the catalog at <paramref name="directory"/> with the site rule files given by <paramref name="localRules"/>.</summary>
    /// <exception cref="CatalogException">The catalog or a site rule file is invalid.</exception>
    public static RoleCatalog Load(string directory, ParseResult parse, Option<string[]> localRules) =>
        CatalogLoader.Load(directory, parse.GetValue(localRules) ?? []);

    /// <summary>The directory given, else the nearest <c>rules</c> directory above the current or the program's directory.</summary>
    public static string Resolve(string? given) =>
        given
        ?? CatalogLocator.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
        ?? throw new InputException($"no '{CatalogLocator.DirectoryName}' directory found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; pass --catalog DIR");
}
