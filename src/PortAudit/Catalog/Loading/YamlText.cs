using System.Buffers;
using System.Text.Unicode;
using PortAudit.Common;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Reads a YAML file as strict UTF-8 text within a size limit. A decoder that replaces bad bytes with U+FFFD would
/// let a damaged name or address load as something else; the file is refused instead, at the first bad byte.
/// </summary>
internal static class YamlText
{
    /// <summary>Largest YAML file read: far above any real catalog or inventory, small enough to parse in bounded memory.</summary>
    public const int MaxFileBytes = 16 << 20;

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Why <paramref name="path"/>, given as a <paramref name="kind"/> file, is none: a directory named by mistake is
    /// said to be one, not "not found" while it stands there.
    /// </summary>
    public static string NotAFile(string path, string kind) =>
        ExpectedPath.DirectoryInstead(path, $"{kind} file") ?? $"{kind} file not found";

    /// <summary>The file's text, or null after reporting why it cannot be read.</summary>
    public static string? Read(string path, string displayName, ErrorList errors)
    {
        var start = new SourceSpot(displayName, 1, 1);
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (file.CanSeek && file.Length > MaxFileBytes)
                return TooLarge(start, $"file of {file.Length} bytes is larger than {MaxFileBytes}", errors);
            // Length only sizes the buffer: a pipe or a device has none, and a file may grow while it is read.
            bytes = ReadAtMost(file, MaxFileBytes + 1, file.CanSeek ? (int)file.Length + 1 : 64 << 10);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(start, $"cannot read: {ex.Message}");
            return null;
        }
        if (bytes.Length > MaxFileBytes)
            return TooLarge(start, $"more than {MaxFileBytes} bytes", errors);
        return Decode(bytes, displayName, errors);
    }

    private static string? TooLarge(SourceSpot start, string size, ErrorList errors)
    {
        errors.Add(start, $"{size} (the YAML file size limit)");
        return null;
    }

    private static byte[] ReadAtMost(Stream stream, int limit, int expected)
    {
        var buffer = new byte[Math.Clamp(expected, 1, limit)];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length == limit)
                    return buffer;
                Array.Resize(ref buffer, (int)Math.Min(limit, buffer.Length * 2L));
            }
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
                return buffer[..filled];
            filled += read;
        }
    }

    private static string? Decode(byte[] bytes, string displayName, ErrorList errors)
    {
        int skip = bytes.AsSpan().StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
        var text = bytes.AsSpan(skip);
        var chars = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var status = Utf8.ToUtf16(text, chars, out int read, out int written, replaceInvalidSequences: false);
            if (status == OperationStatus.Done)
                return new string(chars, 0, written);
            int offset = skip + read;
            errors.Add(SpotOf(bytes, offset, displayName), $"not UTF-8 at byte {offset} (0x{bytes[offset]:x2})");
            return null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Line and column (in characters) of a byte offset, counting only the valid text before it.</summary>
    private static SourceSpot SpotOf(byte[] bytes, int offset, string displayName)
    {
        var before = bytes.AsSpan(0, offset);
        int lineStart = before.LastIndexOf((byte)'\n') + 1;
        int line = before.Count((byte)'\n') + 1;
        // Continuation bytes (10xxxxxx) do not start a character.
        int column = 1;
        foreach (byte b in before[lineStart..])
            if ((b & 0xC0) != 0x80)
                column++;
        if (line == 1 && before.StartsWith(ByteOrderMark))
            column--;
        return new SourceSpot(displayName, line, column);
    }
}
