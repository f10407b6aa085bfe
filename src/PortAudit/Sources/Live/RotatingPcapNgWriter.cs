using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Sources.Live;

/// <summary>When to start the next capture file; zero values mean never.</summary>
/// <param name="MaxBytes">Start a new file before one would grow past this size.</param>
/// <param name="MaxDuration">Start a new file once a packet is this much later than the file's first.</param>
public readonly record struct CaptureRotation(long MaxBytes, TimeSpan MaxDuration);

/// <summary>
/// Saves live packets as pcapng, starting a new complete file (own section and interface blocks) when the rotation
/// asks: FILE.pcapng, then FILE.1.pcapng, FILE.2.pcapng... Failures to write (disk full) become input errors that name the file.
/// </summary>
public sealed class RotatingPcapNgWriter : IDisposable
{
    private readonly string _path;
    private readonly IReadOnlyList<CaptureInterface> _interfaces;
    private readonly CaptureRotation _rotation;
    private readonly long _maxDurationNs;
    private PcapNgWriter? _writer;
    private string _current;
    private long _fileStartNs;
    private long _closedPackets;
    private long _flushedPackets;
    private long _flushedBytes;
    private bool _failed;
    private bool _counted;

    /// <summary>Creates the first file at <paramref name="path"/> at once, so a bad path fails before the capture starts.</summary>
    public RotatingPcapNgWriter(string path, IReadOnlyList<CaptureInterface> interfaces, CaptureRotation rotation)
    {
        _path = path;
        _interfaces = interfaces;
        _rotation = rotation;
        _maxDurationNs = rotation.MaxDuration.Ticks * 100;
        _current = path;
        _writer = Start(path);
    }

    /// <summary>Every file written, in order; the last is the one being written.</summary>
    public List<string> Files { get; } = new();

    /// <summary>Packets handed to the files over all files, some perhaps still in the write buffer.</summary>
    public long Packets { get; private set; }

    /// <summary>
    /// Packets known to be in the files: those of closed files and those of the current file up to its last successful
    /// flush. After a write failure (a full disk), once disposed, it is what the files hold, read back from the failed
    /// file: the packets before the failure, not <see cref="Packets"/>, and not only those of the last flush.
    /// </summary>
    public long SavedPackets => _closedPackets + _flushedPackets;

    /// <summary>The name of file number <paramref name="index"/> (0 is the path as given): the index goes before the extension.</summary>
    public static string FileName(string path, int index)
    {
        if (index == 0) return path;
        string extension = Path.GetExtension(path);
        return string.Concat(path.AsSpan(0, path.Length - extension.Length), $".{index}", extension);
    }

    /// <summary>Writes one packet captured on interface <paramref name="interfaceIndex"/>, rotating first when due.</summary>
    public void Write(int interfaceIndex, in PacketRecord packet)
    {
        var writer = _writer ?? throw new ObjectDisposedException(nameof(RotatingPcapNgWriter));
        if (writer.Packets == 0) _fileStartNs = packet.TimestampNs;
        else if (IsDue(writer, packet))
        {
            Close(writer);
            _current = FileName(_path, Files.Count);
            writer = _writer = Start(_current);
            _fileStartNs = packet.TimestampNs;
        }
        try
        {
            writer.Write(interfaceIndex, packet);
        }
        catch (IOException ex)
        {
            throw WriteFailure(ex);
        }
        Packets++;
    }

    private bool IsDue(PcapNgWriter writer, in PacketRecord packet) =>
        (_rotation.MaxBytes > 0 && writer.BytesWritten + PcapNgWriter.BlockLength(packet) > _rotation.MaxBytes)
        || (_maxDurationNs > 0 && packet.TimestampNs - _fileStartNs >= _maxDurationNs);

    /// <summary>Pushes what is buffered to the current file.</summary>
    public void Flush()
    {
        if (_writer is not { } writer) return;
        try
        {
            writer.Flush();
            _flushedPackets = writer.Packets;
            _flushedBytes = writer.BytesWritten;
        }
        catch (IOException ex)
        {
            throw WriteFailure(ex);
        }
    }

    private PcapNgWriter Start(string path)
    {
        try
        {
            var stream = OutputFile.OpenForWriting(path, 1 << 20);
            Files.Add(path);
            return new PcapNgWriter(stream, _interfaces);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(IoFailure.CannotWrite(path, ex), ex);
        }
    }

    private void Close(PcapNgWriter writer)
    {
        _writer = null;
        try
        {
            writer.Dispose();
            _closedPackets += writer.Packets;
            _flushedPackets = 0;
            _flushedBytes = 0;
        }
        catch (IOException ex)
        {
            var failure = WriteFailure(ex);
            CountWhatTheFileHolds();
            throw failure;
        }
    }

    // A failure is reported once: the file is marked failed, and closing it later does not report the same loss again.
    private InputException WriteFailure(IOException ex)
    {
        _failed = true;
        return new InputException(IoFailure.CannotWrite(_current, ex), ex);
    }

    /// <summary>
    /// Flushes and closes the current file, leaving it complete. After a write failure that was reported, the file is
    /// closed without a second report of the same failure.
    /// </summary>
    public void Dispose()
    {
        if (_writer is not { } writer) return;
        if (!_failed)
        {
            Close(writer);
            return;
        }
        _writer = null;
        try
        {
            writer.Dispose();
        }
        catch (IOException)
        {
            // Already reported: what could not be written stays unwritten, and SavedPackets says how much was.
        }
        CountWhatTheFileHolds();
    }

    /// <summary>
    /// After a failure, counts the packets the failed file holds past its last flush: the stream wrote its buffer in
    /// parts until the disk refused, so more reached the file than the last flush, and the last block may be cut short.
    /// That block is cut off, so that readers (tshark, capinfos) end the file where its last whole packet ends.
    /// </summary>
    private void CountWhatTheFileHolds()
    {
        if (_counted) return;
        _counted = true;
        try
        {
            using var file = new FileStream(_current, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1 << 16);
            // A device or pipe (/dev/full) holds nothing to read back: the count stays at the last flush.
            if (!file.CanSeek) return;
            var (packets, end) = PcapNgWriter.CompletePacketBlocks(file, _flushedBytes);
            _flushedPackets += packets;
            if (end < file.Length) file.SetLength(end);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unreadable now: the count stays at the last flush, which the file holds at least.
        }
    }
}
