using System.Text.Json;

namespace PortAudit.Common;

/// <summary>
/// Where System.Text.Json stopped in a file, as people and <c>xxd -s</c> read it: the byte offset and the 1-based line.
/// The parser names a zero-based line and a byte within it, and appends them to its message again.
/// </summary>
public static class JsonSyntax
{
    /// <summary>"byte N (line L): not valid JSON: what", for <paramref name="error"/> met parsing <paramref name="utf8"/>.</summary>
    /// <param name="utf8">The bytes parsed.</param>
    /// <param name="error">The parser's exception.</param>
    /// <param name="skipped">Bytes before <paramref name="utf8"/> in the file (a byte order mark passed over).</param>
    public static string Describe(ReadOnlySpan<byte> utf8, JsonException error, int skipped = 0)
    {
        long line = error.LineNumber ?? 0, offset = 0;
        for (long seen = 0; seen < line && offset < utf8.Length; offset++)
            if (utf8[(int)offset] == (byte)'\n') seen++;
        return $"byte {skipped + offset + (error.BytePositionInLine ?? 0)} (line {line + 1}): not valid JSON: {Plain(error.Message)}";
    }

    // The parser appends "LineNumber: l | BytePositionInLine: b." to its message; the place is given already.
    private static string Plain(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return at >= 0 ? message[..at] : message;
    }
}
