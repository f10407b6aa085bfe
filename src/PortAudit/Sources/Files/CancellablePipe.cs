namespace PortAudit.Sources.Files;

/// <summary>
/// A pipe, a FIFO or standard input read so that a stop is heard while it waits: before each read, poll(2) waits up to
/// <see cref="WaitMilliseconds"/> for bytes or the end, and the token is checked between waits. A plain blocking read of
/// a pipe that stalls (its writer alive but silent) would hold SIGTERM until the next bytes came. Before it waits, it
/// calls <see cref="Waiting"/>, as a live interface with nothing ready does (<see cref="ICaptureReader.Waiting"/>).
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
        if (PollSyscall.Readable(descriptor, 0)) return inner.Read(buffer);
        do
        {
            // The writer is silent for now: what was read before this wait is handed on, so that it is not held until the
            // next bytes come, which may be never before a stop. Again after each wait: the reader may have had no room
            // to hand it on into the time before.
            Waiting?.Invoke();
            cancel.ThrowIfCancellationRequested();
        }
        while (!PollSyscall.Readable(descriptor, WaitMilliseconds));
        return inner.Read(buffer);
    }

    /// <summary>
    /// Called on the reading thread when the pipe has nothing to read, before the read waits for bytes, and again every
    /// <see cref="WaitMilliseconds"/> while it waits.
    /// </summary>
    public Action? Waiting { get; set; }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
