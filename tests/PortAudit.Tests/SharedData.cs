namespace PortAudit.Tests;

/// <summary>
/// Finds the repository and the shared data directory that sits beside it (../shared), which
/// holds inputs too large or not ours to commit (vendor documents, captures).
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(FindRepositoryRoot);

    /// <summary>The directory holding PortAudit.sln, or null when the tests run outside a checkout.</summary>
    public static string? RepositoryRoot => Root.Value;

    /// <summary>Full path of <paramref name="relative"/> inside ../shared, or null without a repository.</summary>
    public static string? Path(string relative) =>
        RepositoryRoot is { } root
            ? System.IO.Path.GetFullPath(System.IO.Path.Combine(root, "..", "shared", relative))
            : null;

    /// <summary>Full path of <paramref name="relative"/> inside the repository; fails when there is none.</summary>
    public static string InRepository(string relative) =>
        System.IO.Path.Combine(RepositoryRoot ?? throw new InvalidOperationException("PortAudit.sln not found above the test binaries"), relative);

    /// <summary>True when the shared file or directory exists.</summary>
    public static bool Exists(string relative) =>
        Path(relative) is { } path && (Directory.Exists(path) || File.Exists(path));

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PortAudit.sln")))
                return dir.FullName;
        return null;
    }
}
