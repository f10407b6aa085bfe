using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PortAudit.Capture;

/// <summary>
/// A capture file read through a SHA-256: the reading thread hashes the bytes as it takes them, so that an audit's
/// provenance names the file's digest without a second pass over it after the run. Only a file read to its end has a
/// digest (<see cref="ReadDigests"/>); a damaged or stopped read leaves the digest to be taken from the file.
/// </summary>
internal sealed class DigestingStream(string path, FileStream file) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _done;

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        int n = file.Read(buffer);
        if (n > 0)
        {
            _hash.AppendData(buffer[..n]);
            _read += n;
        }
        else if (!_done && buffer.Length > 0)
        {
            _done = true;
            ReadDigests.Record(path, file.Length, File.GetLastWriteTimeUtc(path), Convert.ToHexStringLower(_hash.GetHashAndReset()),
                _read);
        }
        return n;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            file.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// The SHA-256 of every capture file this process read to its end, by full path, with the length and write time the file
/// had: a digest is handed out only while the file still has both, so an edited file is hashed again.
/// </summary>
public static class ReadDigests
{
    private static readonly ConcurrentDictionary<string, (long Length, DateTime Written, string Sha256)> Known = new();

    internal static void Record(string path, long length, DateTime written, string sha256, long read)
    {
        // A file that grew or shrank while it was read has no digest of what was read.
        if (read == length) Known[Path.GetFullPath(path)] = (length, written, sha256);
    }

    /// <summary>The digest taken while <paramref name="path"/> was read, if the file is still as it was then; else null.</summary>
    public static string? TryGet(string path)
    {
        try
        {
            string full = Path.GetFullPath(path);
            if (!Known.TryGetValue(full, out var known)) return null;
            var info = new FileInfo(full);
            return info.Exists && info.Length == known.Length && info.LastWriteTimeUtc == known.Written ? known.Sha256 : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
