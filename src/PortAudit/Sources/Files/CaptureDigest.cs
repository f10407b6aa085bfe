using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PortAudit.Sources.Files;

/// <summary>
/// The SHA-256 of a capture file, taken on a thread of its own while the run reads the same file: the reading thread,
/// which feeds the flow table, does not hash. An audit starts it before it loads its catalog
/// (<see cref="ReadDigests.Begin"/>). Whoever needs the digest (an audit's provenance) calls
/// <see cref="ReadDigests.TryGet"/>, which waits for it.
/// </summary>
/// <remarks>
/// <para>
/// The file is read a second time, from the page cache the reader fills. The digest is kept only when the file's length
/// and write time after hashing are those it had when the digest started, and as many bytes were hashed; a file that
/// cannot be hashed leaves the digest to be taken from the file when it is asked for.
/// </para>
/// <para>
/// One thread hashes the files queued, one at a time, at normal priority: an audit of many captures queues a digest
/// per file, and hashing them at once would compete with the read for the cores. Under Linux's SCHED_IDLE, as it ran before,
/// the corpus audit took 0.3 s more CPU and 6% more time: the idle thread was preempted whenever the decoding or
/// flow-table thread woke, and finished last, alone (docs/performance.md, "Tried and not kept").
/// </para>
/// </remarks>
internal sealed class CaptureDigest
{
    private const int ChunkBytes = 1 << 20;
    private static readonly ConcurrentDictionary<string, CaptureDigest> Running = new();
    // Files wait here in the order they were started (the order the run reads them), for the one hashing thread.
    private static readonly BlockingCollection<CaptureDigest> Queued = new();
    private static readonly Lazy<Thread> Hasher = new(() =>
    {
        var thread = new Thread(HashQueued) { IsBackground = true, Name = "portaudit-digest" };
        thread.Start();
        return thread;
    });

    // The hashing thread's one buffer.
    private static readonly byte[] Buffer = new byte[ChunkBytes];

    private readonly string _path;
    private readonly (long Length, DateTime Written) _opened;
    private readonly ManualResetEventSlim _done = new();

    private CaptureDigest(string path, (long, DateTime) opened)
    {
        _path = path;
        _opened = opened;
    }

    /// <summary>
    /// Starts hashing the file at <paramref name="path"/>, of <paramref name="length"/> bytes last written at
    /// <paramref name="written"/> when the reader opened it (or the audit began its digest), unless it is being hashed
    /// already.
    /// </summary>
    public static void Start(string path, long length, DateTime written)
    {
        string full = Path.GetFullPath(path);
        var digest = new CaptureDigest(full, (length, written));
        if (!Running.TryAdd(full, digest)) return;
        Queued.Add(digest);
        _ = Hasher.Value;
    }

    /// <summary>Waits for the digest of <paramref name="fullPath"/> if one is being taken; it is then in <see cref="ReadDigests"/>.</summary>
    public static void Await(string fullPath)
    {
        if (Running.TryRemove(fullPath, out var digest)) digest._done.Wait();
    }

    private static void HashQueued()
    {
        foreach (var digest in Queued.GetConsumingEnumerable())
        {
            try
            {
                digest.Hash();
            }
            finally
            {
                digest._done.Set();
            }
        }
    }

    private void Hash()
    {
        try
        {
            using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0, FileOptions.SequentialScan);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long read = 0;
            int n;
            while ((n = file.Read(Buffer)) > 0)
            {
                hash.AppendData(Buffer, 0, n);
                read += n;
            }
            // Changed since the reader opened it, the file hashed here may not be the one the run read.
            if (CaptureFile.ExistingFile(_path) is { } after && after.Length == _opened.Length && after.LastWriteTimeUtc == _opened.Written)
                ReadDigests.Record(_path, _opened.Length, _opened.Written, Convert.ToHexStringLower(hash.GetHashAndReset()), read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No digest kept: the provenance hashes the file when it asks for it, and says so if it cannot.
        }
    }
}
