using System.Security.Cryptography;

namespace PortAudit.Sources.Files;

/// <summary>
/// A capture file read once for both its packets and its SHA-256: each block the reader takes is hashed as it passes,
/// and at the file's end the digest goes to <see cref="ReadDigests"/> (an audit's provenance names it). Reading the
/// file a second time on a thread of its own cost the corpus audit a second copy of every byte out of the page cache.
/// </summary>
/// <remarks>
/// A read that stops before the end (damage, cancellation) records nothing: the provenance then hashes the file itself.
/// A file whose length or write time changed while it was read records nothing either (<see cref="ReadDigests.Record"/>).
/// </remarks>
internal sealed class DigestingStream : ReadOnlyStream
{
    private readonly FileStream _file;
    private readonly string _path;
    private readonly long _length;
    private readonly DateTime _written;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _ended;

    public DigestingStream(string path, FileStream file)
    {
        _path = path;
        _file = file;
        _length = file.Length;
        _written = File.GetLastWriteTimeUtc(path);
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        int n = _file.Read(buffer);
        if (_ended) return n;
        if (n > 0)
        {
            _hash.AppendData(buffer[..n]);
            _read += n;
        }
        else
        {
            _ended = true;
            var after = new FileInfo(_path);
            if (after.Length == _length && after.LastWriteTimeUtc == _written)
                ReadDigests.Record(_path, _length, _written, Convert.ToHexStringLower(_hash.GetHashAndReset()), _read);
        }
        return n;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
