using PortAudit.Decode;

namespace PortAudit.Sources.Files;

/// <summary>
/// A capture read from a pipe, a FIFO or standard input: the format's reader, whose <see cref="Waiting"/> is the pipe's
/// (<see cref="CancellablePipe.Waiting"/>), so that a read that would wait for a silent writer first hands on what it
/// gathered, as one of a live interface does. Without it, the packets of a pipe that stalls (a writer that sends a
/// capture and keeps the pipe open, a capture tool on a quiet link) sat in a part-filled batch until more came or the run
/// was stopped, and everything they meant was still to be worked out after the stop.
/// </summary>
internal sealed class PipeCaptureReader(ICaptureReader format, CancellablePipe pipe) : ICaptureReader
{
    /// <summary><paramref name="format"/>, told of <paramref name="stream"/>'s waits when it is a pipe read so.</summary>
    public static ICaptureReader Over(ICaptureReader format, Stream stream) =>
        stream is CancellablePipe pipe ? new PipeCaptureReader(format, pipe) : format;

    /// <inheritdoc />
    public string Name => format.Name;

    /// <inheritdoc />
    public long BytesRead => format.BytesRead;

    /// <inheritdoc />
    public bool TryRead(out PacketRecord packet) => format.TryRead(out packet);

    /// <inheritdoc />
    public Action? Waiting
    {
        get => pipe.Waiting;
        set => pipe.Waiting = value;
    }

    /// <inheritdoc />
    public void Dispose() => format.Dispose();
}
