using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Sources.Live;

/// <summary>
/// Live traffic from one or more interfaces (libpcap) as a run's source, optionally saved as pcapng while it is
/// read. Reads until the stop token fires, the packet limit is reached or an interface fails; the saved file is
/// completed before the read returns, so that a run that ends on an error still leaves a readable capture.
/// </summary>
public sealed class LiveCaptureSource : IFlowSource, IDisposable
{
    private readonly LiveCaptureReader _reader;
    private readonly RotatingPcapNgWriter? _recorder;
    private IReadOnlyList<InterfaceStatistics> _final = [];

    private LiveCaptureSource(LiveCaptureReader reader, RotatingPcapNgWriter? recorder, IReadOnlyList<string> interfaces)
    {
        _reader = reader;
        _recorder = recorder;
        Name = string.Join(", ", interfaces.Select(i => "live capture on " + i));
        reader.Heartbeat = OnHeartbeat;
    }

    /// <summary>
    /// Opens the interfaces of <paramref name="options"/>, and the pcapng file at <paramref name="writePath"/> when
    /// given. <paramref name="stop"/> ends the capture cleanly.
    /// </summary>
    /// <exception cref="InputException">An interface cannot be opened, or the file cannot be created.</exception>
    public static LiveCaptureSource Open(LiveCaptureOptions options, string? writePath, CaptureRotation rotation, CancellationToken stop)
    {
        var reader = LiveCaptureReader.Open(options, stop);
        try
        {
            var recorder = writePath is null ? null : new RotatingPcapNgWriter(writePath, reader.Interfaces, rotation);
            return new LiveCaptureSource(reader, recorder, options.Interfaces);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Settings the platform refused when the interfaces were opened.</summary>
    public IReadOnlyList<string> Warnings => _reader.Warnings;

    /// <summary>Called now and then on the reading thread, after the saved file was flushed (see <see cref="LiveCaptureOptions.HeartbeatInterval"/>).</summary>
    public Action? Heartbeat { get; set; }

    /// <summary>libpcap's counters per interface: current during the read, final after it.</summary>
    public IReadOnlyList<InterfaceStatistics> Statistics => _final.Count > 0 ? _final : _reader.Statistics();

    /// <summary>Packets libpcap had accepted but never delivered, lost when an interface failed (removed mid-capture).</summary>
    public long Undelivered => _reader.Undelivered;

    /// <summary>Packets known to be in the pcapng files (flushed), not merely handed to them: what the files hold.</summary>
    public long SavedPackets => _recorder?.SavedPackets ?? 0;

    /// <summary>The pcapng files written (one, or several with rotation); empty without --write.</summary>
    public IReadOnlyList<string> SavedFiles => _recorder?.Files ?? [];

    /// <summary>True when the capture was asked to save packets.</summary>
    public bool Saves => _recorder is not null;

    /// <inheritdoc />
    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        try
        {
            sink.ReadPackets(_recorder is null ? _reader : new RecordingCaptureReader(_reader, _recorder), live: true);
        }
        catch (InputException ex)
        {
            sink.Fail(ex);
        }
        _final = _reader.Statistics();
        // Lost packets leave holes in the flows (an answer dropped reads as a failed attempt): the run and its report
        // must know, not only the summary line on stderr.
        long dropped = _final.Sum(s => s.Dropped) + Undelivered;
        if (dropped > 0) sink.Dropped(dropped);
        try
        {
            _recorder?.Dispose();
        }
        catch (InputException ex)
        {
            sink.Fail(ex);
        }
    }

    private void OnHeartbeat()
    {
        // Keeps the saved file readable by other tools while the capture runs.
        _recorder?.Flush();
        Heartbeat?.Invoke();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _recorder?.Dispose();
        }
        catch (InputException)
        {
            // Already reported by ReadInto when the read ran; a source disposed unread has nothing worth saving.
        }
        _reader.Dispose();
    }
}
