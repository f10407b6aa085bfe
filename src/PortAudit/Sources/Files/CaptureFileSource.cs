using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Sources.Files;

/// <summary>A capture file (pcap or pcapng, optionally gzip-compressed), or standard input as "-".</summary>
public sealed class CaptureFileSource : IFlowSource
{
    /// <summary>The file at <paramref name="path"/>; "-" is standard input.</summary>
    public CaptureFileSource(string path) => Name = path;

    /// <summary>The sources of <paramref name="paths"/>, in order.</summary>
    public static IReadOnlyList<IFlowSource> Of(IEnumerable<string> paths) => paths.Select(p => (IFlowSource)new CaptureFileSource(p)).ToList();

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Hash the file as it is read, for a run that names its inputs' digests (an audit); off by default.</summary>
    public bool HashWhileReading { get; set; }

    /// <inheritdoc />
    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        if (Opened(() => CaptureFile.Open(Name, HashWhileReading, cancel), sink, cancel) is not { } reader) return;
        // A file on disk may be read again by each of a split run's shards, each thread on its own copy of the records,
        // unless it changes in between (a capture still being written is read once and dealt).
        Func<ICaptureReader>? reopen = CaptureFile.CanReopen(reader) && CaptureFile.ExistingFile(Name) is { } file
            ? () => CaptureFile.OpenAgain(Name, (file.Length, file.LastWriteTimeUtc), cancel)
            : null;
        using (reader) sink.ReadPackets(reader, live: false, reopen);
    }

    /// <summary>
    /// Reads the capture from this source's pipe, already opened by the caller (which then no longer owns it: a pipe
    /// opened a second time has lost what was written to it), through <paramref name="waits"/> with the bytes already
    /// looked at put back in front of it in <paramref name="replayed"/>. When <paramref name="waits"/> is a
    /// <see cref="CancellablePipe"/>, the reader is told when it is about to wait (<see cref="PipeCaptureReader"/>), and a
    /// stop heard before the first record ends the input there.
    /// </summary>
    internal void ReadOpenPipe(Stream replayed, Stream waits, IFlowSink sink, CancellationToken cancel)
    {
        if (HashWhileReading) CaptureFile.Digest(Name, replayed);
        if (Opened(() => PipeCaptureReader.Over(CaptureFile.Open(Name, replayed), waits), sink, cancel) is not { } reader) return;
        using (reader) sink.ReadPackets(reader, live: false);
    }

    /// <summary>Opens the capture at <paramref name="path"/>, or hands <paramref name="sink"/> the reason it cannot be and returns null.</summary>
    public static ICaptureReader? Open(string path, IFlowSink sink, bool digest = false) => Opened(() => CaptureFile.Open(path, digest), sink);

    private static ICaptureReader? Opened(Func<ICaptureReader> open, IFlowSink sink, CancellationToken cancel = default)
    {
        try
        {
            return open();
        }
        catch (InputException ex)
        {
            sink.Fail(ex);
            return null;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // A pipe still waiting for its first bytes heard the stop (CancellablePipe): the input ends there, before its
            // first record, as a read that hears it later ends at the record it was in.
            return null;
        }
    }
}
