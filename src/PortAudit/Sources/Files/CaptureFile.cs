using System.Buffers.Binary;
using PortAudit.Common;

namespace PortAudit.Sources.Files;

/// <summary>
/// Opens a capture by content, not by name: pcap or pcapng, optionally gzip-compressed, from a file or "-" for standard input.
/// </summary>
public static class CaptureFile
{
    // A NetFlow or IPFIX export begins with its version (5, 9, 10) in two bytes: one whose header did not hold (a record
    // count that lies) was named only as no capture, leaving the reader to guess why it was not read as NetFlow.
    private static string FlowRecordHint(ReadOnlySpan<byte> magic) =>
        magic[0] == 0 && magic[1] is 5 or 9 or 10
            ? $", nor a NetFlow/IPFIX export portaudit recognises, though it begins with version {magic[1]}: --input-format {(magic[1] == 10 ? "ipfix" : "netflow")} reads it and names the fault"
            : ", nor a flow-record format portaudit recognises (--input-format names one)";

    /// <summary>The name that stands for standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>Opens <paramref name="path"/>; throws <see cref="InputException"/> with a one-line reason when it cannot.</summary>
    public static ICaptureReader Open(string path) => Open(path, digest: false);

    /// <summary>
    /// Opens the capture at <paramref name="path"/>; with <paramref name="digest"/>, a file's SHA-256 is taken while it is
    /// read, on a thread of its own (<see cref="CaptureDigest"/>), and kept in <see cref="ReadDigests"/> (an audit's provenance
    /// names it); a named pipe is only noted as one.
    /// </summary>
    public static ICaptureReader Open(string path, bool digest) => Open(path, digest, CancellationToken.None);

    /// <summary>
    /// As <see cref="Open(string, bool)"/>; a pipe, a FIFO or standard input is read so that <paramref name="cancel"/> is
    /// heard while it waits for bytes (<see cref="CancellablePipe"/>), and its reader is told before each wait
    /// (<see cref="ICaptureReader.Waiting"/>, <see cref="PipeCaptureReader"/>).
    /// </summary>
    public static ICaptureReader Open(string path, bool digest, CancellationToken cancel)
    {
        Stream stream;
        try
        {
            stream = path == StandardInput ? OpenStandardInput() : OpenFile(path);
            if (digest) Digest(path, stream);
            stream = CancellablePipe.Of(stream, path == StandardInput, cancel);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException($"{path}: cannot open: {Reason(ex)}", ex);
        }
        return PipeCaptureReader.Over(Open(path, stream), stream);
    }

    /// <summary>Standard input, after checking that the caller did not close it (<see cref="ClosedStandardInput"/>).</summary>
    /// <exception cref="InputException">Standard input is closed.</exception>
    public static Stream OpenStandardInput()
    {
        if (ClosedStandardInput.Detect())
            throw new InputException($"{StandardInput}: cannot open: standard input is closed");
        return Console.OpenStandardInput();
    }

    /// <summary>
    /// Takes the SHA-256 of the capture <paramref name="path"/>, open as <paramref name="stream"/>, beside the read: a file
    /// is hashed on a thread of its own (<see cref="CaptureDigest"/>); a named pipe, read once, is only noted as one, as standard input
    /// is not hashed either.
    /// </summary>
    internal static void Digest(string path, Stream stream)
    {
        if (stream is not FileStream file) return;
        if (!file.CanSeek) ReadDigests.RecordPipe(path);
        else if (ExistingFile(path) is { } info) CaptureDigest.Start(path, info.Length, info.LastWriteTimeUtc);
    }

    /// <summary>
    /// True when <paramref name="reader"/> reads a capture file on disk as it is: not standard input, a pipe or a compressed
    /// file, so opening its path again gives a second reader of the same records.
    /// </summary>
    internal static bool CanReopen(ICaptureReader reader) => reader switch
    {
        PcapReader pcap => pcap.ReadsFile,
        PcapNgReader pcapNg => pcapNg.ReadsFile,
        _ => false,
    };

    /// <summary>
    /// Opens the capture file at <paramref name="path"/> a second time, for another thread to read the same records: only
    /// while its length and write time are still <paramref name="opened"/>'s, those it had when the first reader opened it.
    /// </summary>
    /// <exception cref="InputException">The file changed (a capture still being written) or cannot be opened.</exception>
    internal static ICaptureReader OpenAgain(string path, (long Length, DateTime Written) opened, CancellationToken cancel)
    {
        if (ExistingFile(path) is not { } now || now.Length != opened.Length || now.LastWriteTimeUtc != opened.Written)
            throw new InputException($"{path}: changed since it was opened: not opened again");
        return Open(path, digest: false, cancel);
    }

    /// <summary>Opens a capture from an already open stream, which the reader then owns.</summary>
    public static ICaptureReader Open(string name, Stream stream)
    {
        var source = new ByteSource(name, stream);
        try
        {
            if (!source.TryPeek(4, out var magic))
            {
                if (source.Buffered == 0) throw new CaptureFormatException(name, 0, "empty file: not a capture");
                throw new CaptureFormatException(name, 0, $"file of {source.Buffered} bytes is too short to be a capture");
            }
            if (magic[0] == 0x1F && magic[1] == 0x8B)
            {
                return Open(name, new GzipDecompressor(name, source.DetachAsStream()));
            }
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(magic);
            if (word == PcapNgReader.SectionHeaderType) return new PcapNgReader(name, source);
            if (IsPcapMagic(word)) return new PcapReader(name, source);
            throw new CaptureFormatException(name, 0,
                $"unknown format: magic bytes {magic[0]:x2} {magic[1]:x2} {magic[2]:x2} {magic[3]:x2} are neither pcap, pcapng nor gzip" + FlowRecordHint(magic));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when <paramref name="magic"/>, a file's first four bytes, starts a capture this class opens (pcap, pcapng
    /// or gzip): how a directory's capture files are told from the other files beside them.
    /// </summary>
    public static bool IsCaptureMagic(ReadOnlySpan<byte> magic)
    {
        if (magic.Length < 4) return false;
        if (magic[0] == 0x1F && magic[1] == 0x8B) return true;
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(magic);
        return word == PcapNgReader.SectionHeaderType || IsPcapMagic(word);
    }

    /// <summary>
    /// The file <paramref name="path"/> names, as it is now, through any symbolic links; null for standard input, a
    /// directory, a missing file or a name that is no path. A named pipe shows length 0. Never throws: what is wrong with
    /// the path is the read's to say.
    /// </summary>
    /// <remarks>
    /// A link's own FileInfo gives the link's length and time, not its file's: the digest taken beside the read compared
    /// those with the file's and was thrown away, so the provenance hashed the whole capture a second time after the read.
    /// </remarks>
    internal static FileInfo? ExistingFile(string path)
    {
        if (path == StandardInput) return null;
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            return info.Exists ? info : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when <paramref name="path"/> is a regular file whose first bytes are a capture's (<see cref="IsCaptureMagic"/>).
    /// Never throws, and never opens a named pipe (its open would wait for a writer): the read says what is wrong.
    /// </summary>
    internal static bool StartsAsCapture(string path)
    {
        if (ExistingFile(path) is not { Length: >= 4 } file) return false;
        Span<byte> magic = stackalloc byte[4];
        try
        {
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            return stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) == magic.Length && IsCaptureMagic(magic);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Opens <paramref name="path"/> for reading and closes it: throws the <see cref="Open(string)"/> error for a file that cannot be.</summary>
    public static void CheckReadable(string path)
    {
        if (path == StandardInput) return;
        if (Directory.Exists(path)) throw new InputException($"{path}: cannot open: is a directory");
        // A pipe (a FIFO, /dev/stdin, bash's <(...)) shows no length: opening it here would wait for its writer or take
        // its data from the reader, so it is left to the read. An empty regular file fails there just the same.
        if (new FileInfo(path) is { Exists: true, Length: 0 }) return;
        try
        {
            using var _ = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException($"{path}: cannot open: {Reason(ex)}", ex);
        }
    }

    private static bool IsPcapMagic(uint word)
    {
        uint swapped = BinaryPrimitives.ReverseEndianness(word);
        return word is PcapReader.MagicMicroseconds or PcapReader.MagicNanoseconds
            || swapped is PcapReader.MagicMicroseconds or PcapReader.MagicNanoseconds;
    }

    private static string Reason(Exception ex) => ex switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => ex.Message,
    };

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
}
