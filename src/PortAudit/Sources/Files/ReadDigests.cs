using System.Collections.Concurrent;

namespace PortAudit.Sources.Files;

/// <summary>
/// The SHA-256 of every capture file this process read, by full path, with the length and write time the file had: a
/// digest is handed out only while the file still has both, so an edited file is hashed again. Captures read from a
/// named pipe are remembered as such: read once, they have no digest, and nothing opens them again to take one.
/// </summary>
public static class ReadDigests
{
    private static readonly ConcurrentDictionary<string, (long Length, DateTime Written, string Sha256)> Known = new();
    private static readonly ConcurrentDictionary<string, bool> Pipes = new();

    internal static void RecordPipe(string path) => Pipes[Path.GetFullPath(path)] = true;

    /// <summary>True when this process read a capture from <paramref name="path"/> and it was a named pipe.</summary>
    public static bool IsPipe(string path)
    {
        try
        {
            return Pipes.ContainsKey(Path.GetFullPath(path));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
    }

    internal static void Record(string path, long length, DateTime written, string sha256, long read)
    {
        // A file that grew or shrank while it was hashed has no digest.
        if (read == length) Known[Path.GetFullPath(path)] = (length, written, sha256);
    }

    /// <summary>
    /// Starts taking the SHA-256 of each regular file among <paramref name="paths"/> now, on a thread of its own, for a
    /// run that will read them and name their digests (an audit): the cores are mostly idle while the tool loads its
    /// catalog and inventory, and the digest is the last of an audit's work to finish. Pipes, standard input, directories
    /// and empty files are left alone; a file read later is hashed once.
    /// </summary>
    public static void Begin(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            // A named pipe shows no length, and opening it would wait for its writer or take its data from the reader.
            if (CaptureFile.ExistingFile(path) is { Length: > 0 } info)
                CaptureDigest.Start(path, info.Length, info.LastWriteTimeUtc);
        }
    }

    /// <summary>
    /// The digest taken while <paramref name="path"/> was read (waiting for it if it is still being taken), if the file is
    /// still as it was then; else null.
    /// </summary>
    public static string? TryGet(string path)
    {
        try
        {
            string full = Path.GetFullPath(path);
            CaptureDigest.Await(full);
            if (!Known.TryGetValue(full, out var known)) return null;
            return CaptureFile.ExistingFile(full) is { } info && info.Length == known.Length && info.LastWriteTimeUtc == known.Written
                ? known.Sha256 : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
