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

    /// <summary>The directory given, else the nearest <c>rules</c> directory above the current or the program's directory.</summary>
    public static string Resolve(string? given) =>
        given
        ?? CatalogLocator.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
        ?? throw new InputException($"no '{CatalogLocator.DirectoryName}' directory found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; pass --catalog DIR");
}
