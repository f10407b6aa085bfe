using System.IO.Enumeration;
using PortAudit.Common;

namespace PortAudit.Sources.Files;

/// <summary>
/// The capture files a command line names, checked before any is read: directories are walked (recursively, in name
/// order) and keep only the files whose content starts as a capture; every named file must open. A run that would fail
/// on its third input therefore fails at once, before it writes a summary or a report. A symbolic link to a directory met inside
/// one is not walked into, as <c>find</c> does not: a link back up the tree was walked until the path grew too long,
/// each capture read once per turn (two such links: a walk without end). Links to files are read (a directory of links
/// to captures kept elsewhere), and a link named on the command line is followed.
/// </summary>
/// <param name="Files">Files to read, in order; "-" for standard input.</param>
/// <param name="Skipped">Files found in directories that are not captures (or cannot be opened), left out.</param>
public sealed record CaptureInputs(IReadOnlyList<string> Files, IReadOnlyList<string> Skipped)
{
    /// <summary>Resolves <paramref name="paths"/> as described on the type.</summary>
    /// <exception cref="InputException">A named file is missing or unreadable, or a directory holds no capture.</exception>
    public static CaptureInputs Resolve(IEnumerable<string> paths)
    {
        var files = new List<string>();
        var skipped = new List<string>();
        foreach (string path in paths)
        {
            if (path != CaptureFile.StandardInput && Directory.Exists(path))
            {
                int before = files.Count;
                AddDirectory(path, files, skipped);
                if (files.Count == before)
                    throw new InputException($"{path}: no capture files in this directory (pcap, pcapng or gzip, recognised by content)");
                continue;
            }
            CaptureFile.CheckReadable(path);
            files.Add(path);
        }
        return new CaptureInputs(files, skipped);
    }

    private static void AddDirectory(string directory, List<string> files, List<string> skipped)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None };
        var walk = new FileSystemEnumerable<string>(directory, (ref FileSystemEntry entry) => entry.ToSpecifiedFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        foreach (string file in walk.Order(StringComparer.Ordinal))
            (CaptureFile.StartsAsCapture(file) ? files : skipped).Add(file);
    }
}
