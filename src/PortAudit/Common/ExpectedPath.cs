namespace PortAudit.Common;

/// <summary>
/// A path that names a directory where a file is expected (an audit's output directory given as its baseline, a
/// directory as a ruleset), or a file where a directory is (a rule file as the catalog): said as such, where opening it
/// would report "not found" or "access denied" while it stands there.
/// </summary>
internal static class ExpectedPath
{
    /// <summary>What is wrong with <paramref name="path"/> as a <paramref name="kind"/>: null unless it names a directory.</summary>
    public static string? DirectoryInstead(string path, string kind) =>
        Directory.Exists(path) ? $"{kind} expected, found a directory" : null;

    /// <summary>What is wrong with <paramref name="path"/> as a <paramref name="kind"/> directory: null unless it names a file.</summary>
    public static string? FileInstead(string path, string kind) =>
        File.Exists(path) ? $"{kind} expected, found a file" : null;

    /// <summary>
    /// The file that stands where <paramref name="directory"/> or one of its parents should be a directory, or null:
    /// making the directory then fails, and the system's "Could not find a part of the path" does not say why.
    /// </summary>
    public static string? FileOnPath(string directory)
    {
        for (var path = Path.GetFullPath(directory); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path)) return path;
            if (Directory.Exists(path)) return null;
        }
        return null;
    }

    /// <summary>Refuses <paramref name="path"/> when it names a directory; <paramref name="hint"/> follows the reason.</summary>
    /// <exception cref="InputException">It names a directory.</exception>
    public static void RefuseDirectory(string path, string kind = "file", string hint = "")
    {
        if (DirectoryInstead(path, kind) is { } reason) throw new InputException($"{path}: {reason}{hint}");
    }
}
