using System.Buffers;
using System.Text;

namespace PortAudit.Common;

/// <summary>
/// Text files read whole and decoded strictly: a decoder that replaces bad bytes with U+FFFD would let a damaged name,
/// address or port read as something else, so the file is refused at its first bad byte ("not UTF-8 at byte N").
/// </summary>
internal static class StrictText
{
    /// <summary>Offset of the first byte that does not belong to valid UTF-8 (null when all do).</summary>
    public static long? FirstNotUtf8(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[4096];
        long done = 0;
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out int read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData)
                return done + read;
            done += read;
            bytes = bytes[read..];
            if (status == OperationStatus.Done) break;
        }
        return null;
    }

    /// <summary>
    /// Reads <paramref name="path"/> of at most <paramref name="maxBytes"/>: UTF-8 (a byte order mark skipped), or UTF-16 when
    /// a UTF-16 byte order mark starts it (as Windows tools write). Messages name <paramref name="path"/> as given.
    /// </summary>
    /// <exception cref="InputException">The file cannot be read, is larger than the limit, or is not valid text.</exception>
    public static string Read(string path, long maxBytes)
    {
        ExpectedPath.RefuseDirectory(path);
        byte[] bytes;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > maxBytes) throw new InputException($"{path}: file of {length} bytes is larger than {maxBytes}");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read: {ex.Message}", ex);
        }
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            var utf16 = bytes[0] == 0xFF ? new UnicodeEncoding(false, true, true) : new UnicodeEncoding(true, true, true);
            try
            {
                return utf16.GetString(bytes, 2, bytes.Length - 2);
            }
            catch (DecoderFallbackException ex)
            {
                throw new InputException($"{path}: not UTF-16 at byte {2 + ex.Index}", ex);
            }
        }
        int skip = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (FirstNotUtf8(bytes.AsSpan(skip)) is long bad)
            throw new InputException($"{path}: not UTF-8 at byte {skip + bad} (line {LineOf(bytes, skip + bad)})");
        return Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
    }

    /// <summary>
    /// Refuses <paramref name="text"/> when a line is longer than <paramref name="maxLine"/> characters, naming it: no
    /// parser is handed a line of hundreds of megabytes.
    /// </summary>
    /// <exception cref="InputException">A line is too long.</exception>
    public static void RequireLinesWithin(string text, string path, int maxLine)
    {
        int line = 1, start = 0;
        while (start <= text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            if (end - start > maxLine)
                throw new InputException($"{path}:{line}: line of {end - start} characters is longer than {maxLine}");
            start = end + 1;
            line++;
        }
    }

    private static long LineOf(byte[] bytes, long offset) => bytes.AsSpan(0, (int)offset).Count((byte)'\n') + 1;
}
