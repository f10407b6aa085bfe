namespace PortAudit.Sources.Files;

/// <summary>
/// A pipe, a FIFO or standard input read so that a stop is heard while it waits: before each read, poll(2) waits up to
/// <see cref="WaitMilliseconds"/> for bytes or the end, and the token is checked between waits. A plain blocking read of
/// a pipe that stalls (its writer alive but silent) would hold SIGTERM until the next bytes came.
/// </summary>
internal sealed class CancellablePipe(Stream inner, int descriptor, CancellationToken cancel) : ReadOnlyStream
{
    /// <summary>Longest wait between two looks at the token: a stop is heard within it.</summary>
    public const int WaitMilliseconds = 100;

    /// <summary>
    /// <paramref name="stream"/>, waited on through <paramref name="cancel"/> when it is a pipe or standard input and the
    /// token can fire; a file that seeks never blocks for long, and is returned as it is.
    /// </summary>
    public static Stream Of(Stream stream, bool standardInput, CancellationToken cancel)
    {
        if (!cancel.CanBeCanceled || stream.CanSeek) return stream;
        if (standardInput) return new CancellablePipe(stream, 0, cancel);
        return stream is FileStream file ? new CancellablePipe(stream, (int)file.SafeFileHandle.DangerousGetHandle(), cancel) : stream;
    }

    /// <inheritdoc />
    /// <exception cref="OperationCanceledException">The token fired while the pipe had nothing to read.</exception>
    public override int Read(Span<byte> buffer)
    {
        while (!PollSyscall.Readable(descriptor, WaitMilliseconds)) cancel.ThrowIfCancellationRequested();
        return inner.Read(buffer);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
