namespace PortAudit.Common;

/// <summary>
/// A path given where a file is expected that names a directory (an audit's output directory given as its baseline, a
/// directory as a ruleset): said as such, where opening it would report "not found" or "access denied" while it
/// stands there.
/// </summary>
internal static class ExpectedFile
{
    /// <summary>What is wrong with <paramref name="path"/> as a <paramref name="kind"/>: null unless it names a directory.</summary>
    public static string? DirectoryInstead(string path, string kind) =>
        Directory.Exists(path) ? $"{kind} expected, found a directory" : null;

    /// <summary>Refuses <paramref name="path"/> when it names a directory; <paramref name="hint"/> follows the reason.</summary>
    /// <exception cref="InputException">It names a directory.</exception>
    public static void RefuseDirectory(string path, string kind = "file", string hint = "")
    {
        if (DirectoryInstead(path, kind) is { } reason) throw new InputException($"{path}: {reason}{hint}");
    }
}
