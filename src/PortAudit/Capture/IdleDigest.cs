using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PortAudit.Capture;

/// <summary>
/// The SHA-256 of a capture file, taken on a thread of its own that the kernel runs only on a core nothing else wants
/// (<see cref="IdleScheduling"/>), while the run reads the same file: the reading thread no longer hashes, and the
/// digest uses the cycles the run leaves idle. An audit starts it before it loads its catalog (<see cref="ReadDigests.Begin"/>),
/// and lets it run at normal priority once its input is read (<see cref="Hurry"/>). Whoever needs the digest (an audit's
/// provenance) calls <see cref="ReadDigests.TryGet"/>, which does the same and waits for it.
/// </summary>
/// <remarks>
/// The file is read a second time, from the page cache the reader fills. The digest is kept only when the file's length
/// and write time after hashing are those it had when the digest started, and as many bytes were hashed; a file that
/// cannot be hashed leaves the digest to be taken from the file when it is asked for.
/// </remarks>
internal sealed class IdleDigest
{
    private const int ChunkBytes = 1 << 20;
    private static readonly ConcurrentDictionary<string, IdleDigest> Running = new();

    private readonly string _path;
    private readonly (long Length, DateTime Written) _opened;
    private readonly Thread _thread;
    private int _threadId;
    private int _wanted;

    private IdleDigest(string path, (long, DateTime) opened)
    {
        _path = path;
        _opened = opened;
        _thread = new Thread(Hash) { IsBackground = true, Name = "portaudit-digest" };
    }

    /// <summary>
    /// Starts hashing the file at <paramref name="path"/>, of <paramref name="length"/> bytes last written at
    /// <paramref name="written"/> when the reader opened it (or the audit began its digest), unless it is being hashed
    /// already.
    /// </summary>
    public static void Start(string path, long length, DateTime written)
    {
        string full = Path.GetFullPath(path);
        var digest = new IdleDigest(full, (length, written));
        if (Running.TryAdd(full, digest)) digest._thread.Start();
    }

    /// <summary>Waits for the digest of <paramref name="fullPath"/> if one is being taken; it is then in <see cref="ReadDigests"/>.</summary>
    public static void Await(string fullPath)
    {
        if (Running.TryRemove(fullPath, out var digest)) digest.Finish();
    }

    /// <summary>
    /// Lets every digest still being taken run at normal priority: the run has read all its input, so they are now what
    /// its report waits for, and waiting until the report asks would leave them a core of their own only at the end.
    /// </summary>
    public static void Hurry()
    {
        foreach (var digest in Running.Values) digest.LeaveIdle();
    }

    private void Finish()
    {
        LeaveIdle();
        _thread.Join();
    }

    private void LeaveIdle()
    {
        // Whichever of the two threads comes second lifts the idle policy: this one, if the hashing thread has entered it
        // already, else the hashing thread itself right after entering it.
        if (Interlocked.Exchange(ref _wanted, 1) == 1) return;
        int id = Volatile.Read(ref _threadId);
        if (id != 0) IdleScheduling.Leave(id);
    }

    private void Hash()
    {
        Interlocked.Exchange(ref _threadId, IdleScheduling.Enter());
        if (Volatile.Read(ref _wanted) == 1) IdleScheduling.Leave(_threadId);
        try
        {
            using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0, FileOptions.SequentialScan);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[ChunkBytes];
            long read = 0;
            int n;
            while ((n = file.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                read += n;
            }
            // Changed since the reader opened it, the file hashed here may not be the one the run read.
            var after = new FileInfo(_path);
            if (after.Length == _opened.Length && after.LastWriteTimeUtc == _opened.Written)
                ReadDigests.Record(_path, _opened.Length, _opened.Written, Convert.ToHexStringLower(hash.GetHashAndReset()), read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No digest kept: the provenance hashes the file when it asks for it, and says so if it cannot.
        }
    }
}
