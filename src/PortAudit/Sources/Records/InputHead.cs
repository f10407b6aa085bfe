using PortAudit.Sources.Files;

namespace PortAudit.Sources.Records;

/// <summary>
/// The first bytes of an input, read once, to tell its format by content, through gzip when the input is compressed
/// (Zeek archives its logs as <c>conn.log.gz</c>): the input itself is then read from the start, the bytes read here put
/// back in front of it where it cannot seek (standard input, a pipe).
/// </summary>
internal sealed class InputHead
{
    // Enough compressed bytes for RecordFormats.HeadLength decompressed ones at any ratio a log reaches.
    private const int RawLength = 1 << 16;

    // The bytes a capture's magic takes.
    private const int MagicLength = 4;

    private readonly byte[] _raw;
    private readonly int _length;

    private InputHead(byte[] raw, int length)
    {
        _raw = raw;
        _length = length;
    }

    /// <summary>True when the input is gzip-compressed (RFC 1952's magic bytes).</summary>
    public bool IsGzip => _length >= 2 && _raw[0] == 0x1F && _raw[1] == 0x8B;

    /// <summary>
    /// Reads up to 64 KiB from the start of <paramref name="stream"/>, or only the first four bytes of a pcap or pcapng
    /// capture, which tell it.
    /// </summary>
    public static InputHead Read(Stream stream)
    {
        var raw = new byte[RawLength];
        int length = stream.ReadAtLeast(raw.AsSpan(0, MagicLength), MagicLength, throwOnEndOfStream: false);
        var head = new InputHead(raw, length);
        // Reading on to fill the head would hold a capture tool's pipe (tcpdump -U -w - on a quiet link) until 64 KB of
        // traffic had come, every packet before it unread. A gzip'd input is told by its decompressed content.
        if (length < MagicLength || (!head.IsGzip && CaptureFile.IsCaptureMagic(raw.AsSpan(0, MagicLength)))) return head;
        return new InputHead(raw, length + stream.ReadAtLeast(raw.AsSpan(length), raw.Length - length, throwOnEndOfStream: false));
    }

    /// <summary>
    /// The format of the input, or of its decompressed content when gzip-compressed; <see cref="RecordFormat.Capture"/>
    /// for a compressed capture (the capture reader decompresses it itself), null when nothing is recognised.
    /// </summary>
    public RecordFormat? Detect()
    {
        if (!IsGzip) return RecordFormats.Detect(_raw.AsSpan(0, Math.Min(_length, RecordFormats.HeadLength)));
        var content = Decompressed();
        return content.Length == 0 ? RecordFormat.Capture : RecordFormats.Detect(content) ?? RecordFormat.Capture;
    }

    /// <summary>
    /// <paramref name="stream"/> from its start: rewound where it can seek, else behind the bytes this head took from it;
    /// decompressed when <paramref name="decompress"/> and the input is gzip. The result owns <paramref name="stream"/>.
    /// </summary>
    public Stream Replay(Stream stream, string name, bool decompress)
    {
        Stream whole;
        if (stream.CanSeek)
        {
            stream.Position = 0;
            whole = stream;
        }
        else
        {
            whole = new PrefixedStream(_raw.AsMemory(0, _length), stream);
        }
        return decompress && IsGzip ? new GzipDecompressor(name, whole) : whole;
    }

    // The first decompressed bytes of the head; as many as it yields when it ends within them (a small file, or damage
    // that the reader will report with its offset).
    private ReadOnlySpan<byte> Decompressed()
    {
        var content = new byte[RecordFormats.HeadLength];
        int total = 0;
        using var gzip = new GzipDecompressor("", new MemoryStream(_raw, 0, _length));
        try
        {
            int n;
            while (total < content.Length && (n = gzip.Read(content.AsSpan(total))) > 0) total += n;
        }
        catch (Exception ex) when (ex is CaptureFormatException or IOException or InvalidDataException)
        {
            // What came before the cut or the damage is still the content's start.
        }
        return content.AsSpan(0, total);
    }
}
