using PortAudit.Common;

namespace PortAudit.Report;

/// <summary>
/// The files of one run's output set (flows.jsonl and the reports), written under temporary names in their directory
/// and put in place together once every one is complete. A run that fails or is killed before <see cref="Commit"/>
/// leaves the previous set as it was (and no half-written file under a real name); the renames of a commit follow
/// each other within microseconds.
/// </summary>
public sealed class OutputSet : IDisposable
{
    private readonly string _directory;
    private readonly List<(string Temporary, string Final)> _files = [];
    private bool _committed;

    /// <summary>A set in <paramref name="directory"/>, which must exist.</summary>
    public OutputSet(string directory) => _directory = directory;

    /// <summary>The directory the set is written into.</summary>
    public string DirectoryPath => _directory;

    /// <summary>
    /// Opens <paramref name="name"/> for writing under a temporary name; it takes its name at <see cref="Commit"/>. Its
    /// writes throw <see cref="OperationCanceledException"/> once <paramref name="cancel"/> fires, so that whatever is
    /// writing stops there.
    /// </summary>
    /// <exception cref="InputException">The file cannot be created.</exception>
    public Stream Create(string name, CancellationToken cancel = default)
    {
        string final = Path.Combine(_directory, name);
        string temporary = OutputFile.Temporary(final);
        OutputFile.RemoveLeftovers(final);
        OutputFile.Hold(temporary);
        var stream = Guard(final, () => OutputFile.OpenForWriting(temporary, 1 << 16));
        _files.Add((temporary, final));
        return new GuardedStream(stream, final, cancel: cancel);
    }

    /// <summary>Puts every file in place, replacing the previous set's.</summary>
    /// <exception cref="InputException">A file cannot take its name (a directory stands there, say).</exception>
    public void Commit()
    {
        // Checked for every file before the first rename, so that a name taken by a directory stops the commit
        // with the previous set whole instead of half replaced.
        foreach (var (_, final) in _files)
            if (Directory.Exists(final))
                throw new InputException(IoFailure.CannotWrite(final, "a directory has that name"));
        foreach (var (temporary, final) in _files)
        {
            Guard(final, () => File.Move(temporary, final, overwrite: true));
            OutputFile.Release(temporary);
        }
        _committed = true;
    }

    /// <summary>Removes the temporary files of a set that was never committed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        // A file left is named as partial, and the previous set is intact.
        foreach (var (temporary, _) in _files) OutputFile.TryDelete(temporary);
    }

    /// <summary>Opens a single output file (a command's --output) for writing, naming it in the error when it cannot be.</summary>
    /// <exception cref="InputException">The file cannot be created.</exception>
    /// <remarks>
    /// A regular file (or none) is written under a temporary name beside it and replaces it when the stream is disposed
    /// after every write succeeded: a full disk leaves the previous file whole, and the temporary is removed. A device,
    /// FIFO or terminal is written directly. Temporaries a killed run left for the same target are removed first. Once
    /// <paramref name="cancel"/> fires, writes throw <see cref="OperationCanceledException"/> and the file stays as it was.
    /// </remarks>
    public static Stream OpenFile(string path, CancellationToken cancel = default)
    {
        if (OutputFile.IsSpecial(path)) return new GuardedStream(Guard(path, () => OutputFile.OpenForWriting(path, 1 << 16)), path, cancel: cancel);
        if (Directory.Exists(path)) throw new InputException(IoFailure.CannotWrite(path, "a directory has that name"));
        OutputFile.RemoveLeftovers(path);
        string temporary = OutputFile.Temporary(path);
        OutputFile.Hold(temporary);
        var stream = Guard(path, () => OutputFile.OpenForWriting(temporary, 1 << 16));
        return new GuardedStream(stream, path, temporary, cancel);
    }

    /// <summary>
    /// <paramref name="inner"/> (standard output), whose writes throw <see cref="OperationCanceledException"/> once
    /// <paramref name="cancel"/> fires, so that a writer with much left to write stops there.
    /// </summary>
    public static Stream Watched(Stream inner, string name, CancellationToken cancel) => new GuardedStream(inner, name, cancel: cancel);

    /// <summary>
    /// Removes the temporary file of every output set and single output this process is writing: for a process about to
    /// end before it finishes them (a signal it leaves to the runtime), which then leaves no <c>.partial</c> behind.
    /// </summary>
    public static void RemoveTemporaries() => OutputFile.RemoveHeld();

    /// <summary>Runs a file operation, turning the system's refusal (full disk, no permission, a directory in the way) into an input error naming the file.</summary>
    internal static T Guard<T>(string path, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(IoFailure.CannotWrite(path, ex), ex);
        }
    }

    private static void CloseQuietly(Stream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The write failed already and was reported; what was left in the buffer cannot go anywhere either.
        }
    }

    private static void Guard(string path, Action operation) => Guard(path, () =>
    {
        operation();
        return true;
    });

    /// <summary>A stream whose write and flush failures name the file they were for.</summary>
    private sealed class GuardedStream(Stream inner, string path, string? replaces = null, CancellationToken cancel = default) : Stream
    {
        private bool _failed;
        private string? _failure;
        private bool _closed;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => Watch(() => Guard(path, inner.Flush));
        public override void Write(byte[] buffer, int offset, int count) => Watch(() => Guard(path, () => inner.Write(buffer, offset, count)));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ThrowIfAbandoned();
            try
            {
                inner.Write(buffer);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var failure = new InputException(IoFailure.CannotWrite(path, ex), ex);
                Abandon(failure.Message);
                throw failure;
            }
        }
        public override void WriteByte(byte value) => Watch(() => Guard(path, () => inner.WriteByte(value)));

        private void ThrowIfAbandoned()
        {
            if (cancel.IsCancellationRequested)
            {
                // Abandoned (SIGTERM's grace ran out): a file written under a temporary name never takes its target's place.
                Abandon("interrupted");
                cancel.ThrowIfCancellationRequested();
            }
            // The first failure's reason again (a full disk), not a vaguer one, whichever write reports it.
            if (_failed && replaces is not null) throw new InputException(_failure ?? IoFailure.CannotWrite(path, "an earlier write failed"));
        }

        private void Watch(Action write)
        {
            ThrowIfAbandoned();
            try
            {
                write();
            }
            catch (InputException ex)
            {
                Abandon(ex.Message);
                throw;
            }
        }

        // A write failed (a full disk): the temporary goes at once, as whoever owns this stream may never dispose it.
        private void Abandon(string failure)
        {
            if (_failed) return;
            _failed = true;
            _failure = failure;
            if (replaces is null) return;
            CloseQuietly(inner);
            OutputFile.TryDelete(replaces);
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && replaces is { } temporary && !_closed)
            {
                _closed = true; // a second dispose (a writer's, then the owner's) finds the file in place
                // Abandoned after its last write (the run stopped elsewhere, in inspection say): still never put in place,
                // and said, so that the owner does not take the output for written.
                if (cancel.IsCancellationRequested && !_failed)
                {
                    Abandon("interrupted");
                    base.Dispose(disposing);
                    cancel.ThrowIfCancellationRequested();
                }
                // The file written under a temporary name takes the target's place only when every write went through.
                try
                {
                    if (!_failed) Guard(path, inner.Dispose);
                    else CloseQuietly(inner);
                    if (!_failed) Guard(path, () => File.Move(temporary, path, overwrite: true));
                    if (!_failed) OutputFile.Release(temporary);
                }
                catch (Exception ex) when (ex is InputException or IOException or UnauthorizedAccessException)
                {
                    _failed = true;
                    if (ex is InputException) throw;
                }
                finally
                {
                    if (_failed) OutputFile.TryDelete(temporary);
                }
            }
            else if (disposing && replaces is null) Guard(path, inner.Dispose);
            base.Dispose(disposing);
        }
    }
}
