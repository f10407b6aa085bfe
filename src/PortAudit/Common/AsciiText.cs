namespace PortAudit.Common;

/// <summary>Helpers for the text protocols: lines, case-insensitive prefixes, and turning wire bytes into safe strings.</summary>
public static class AsciiText
{
    /// <summary>The first line without its CR LF; false when no line end was seen yet.</summary>
    public static bool TryFirstLine(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> line)
    {
        int end = data.IndexOf((byte)'\n');
        if (end < 0)
        {
            line = default;
            return false;
        }
        line = end > 0 && data[end - 1] == '\r' ? data[..(end - 1)] : data[..end];
        return true;
    }

    /// <summary>True when <paramref name="data"/> starts with <paramref name="prefix"/>, ignoring ASCII case.</summary>
    public static bool StartsWithIgnoreCase(ReadOnlySpan<byte> data, ReadOnlySpan<byte> prefix)
    {
        if (data.Length < prefix.Length) return false;
        for (int i = 0; i < prefix.Length; i++)
            if (Lower(data[i]) != Lower(prefix[i])) return false;
        return true;
    }

    /// <summary>Offset of <paramref name="needle"/> in <paramref name="data"/> ignoring ASCII case, or -1.</summary>
    public static int IndexOfIgnoreCase(ReadOnlySpan<byte> data, ReadOnlySpan<byte> needle)
    {
        if (needle.IsEmpty) return 0;
        for (int i = 0; i + needle.Length <= data.Length; i++)
            if (Lower(data[i]) == Lower(needle[0]) && StartsWithIgnoreCase(data[i..], needle)) return i;
        return -1;
    }

    /// <summary>True when some line of <paramref name="data"/> starts with <paramref name="command"/> (ignoring case), after an optional tag.</summary>
    public static bool HasCommandLine(ReadOnlySpan<byte> data, ReadOnlySpan<byte> command, bool tagged)
    {
        while (!data.IsEmpty)
        {
            int end = data.IndexOf((byte)'\n');
            var line = end < 0 ? data : data[..end];
            if (tagged)
            {
                int space = line.IndexOf((byte)' ');
                line = space < 0 ? default : line[(space + 1)..];
            }
            if (StartsWithIgnoreCase(line, command)) return true;
            if (end < 0) break;
            data = data[(end + 1)..];
        }
        return false;
    }

    /// <summary>
    /// The value of the first header line named <paramref name="name"/> (or its compact form, as SIP allows), trimmed;
    /// false when the message head has no such line. The start line is never taken for a header.
    /// </summary>
    public static bool TryHeader(ReadOnlySpan<byte> message, ReadOnlySpan<byte> name, ReadOnlySpan<byte> compact, out ReadOnlySpan<byte> value)
    {
        value = default;
        int start = message.IndexOf((byte)'\n');
        while (start >= 0 && start + 1 < message.Length)
        {
            var rest = message[(start + 1)..];
            int end = rest.IndexOf((byte)'\n');
            var line = (end < 0 ? rest : rest[..end]).TrimEnd((byte)'\r');
            if (line.IsEmpty) return false; // end of the head
            int colon = line.IndexOf((byte)':');
            if (colon > 0)
            {
                var field = line[..colon].TrimEnd((byte)' ');
                if (EqualsIgnoreCase(field, name) || (!compact.IsEmpty && EqualsIgnoreCase(field, compact)))
                {
                    value = line[(colon + 1)..].Trim((byte)' ');
                    return true;
                }
            }
            if (end < 0) return false;
            start += end + 1;
        }
        return false;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.Length == b.Length && StartsWithIgnoreCase(a, b);

    /// <summary>True when every byte is printable ASCII or whitespace.</summary>
    public static bool IsPrintable(ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
            if (b is (< 32 and not (byte)'\r' and not (byte)'\n' and not (byte)'\t') or >= 127) return false;
        return true;
    }

    /// <summary>True for an RFC 7230 token of at least one character.</summary>
    public static bool IsToken(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty) return false;
        foreach (byte b in text)
            if (b <= 32 || b >= 127 || "()<>@,;:\\\"/[]?={}"u8.Contains(b)) return false;
        return true;
    }

    /// <summary>
    /// A string of at most <paramref name="max"/> characters with anything outside printable ASCII replaced,
    /// so that wire bytes cannot drive a terminal or break a CSV row.
    /// </summary>
    public static string Printable(ReadOnlySpan<byte> bytes, int max = 128)
    {
        var slice = bytes[..Math.Min(bytes.Length, max)];
        return string.Create(slice.Length, slice, static (chars, source) => CopyPrintable(source, chars));
    }

    /// <summary>
    /// Copies as many of <paramref name="bytes"/> as fit into <paramref name="destination"/>, replaced as
    /// <see cref="Printable"/> does; returns the count copied.
    /// </summary>
    public static int CopyPrintable(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        int count = Math.Min(bytes.Length, destination.Length);
        for (int i = 0; i < count; i++)
        {
            byte b = bytes[i];
            destination[i] = b is >= 32 and < 127 && b != ',' && b != ';' ? (char)b : '.';
        }
        return count;
    }

    /// <summary>
    /// Wire bytes whole, in a string of at most <paramref name="max"/> characters, escaped as <see cref="CopyEscaped"/>
    /// writes them: a value percent-decoding gives back, which holds no <c>;</c> (appDetail's separator) and nothing that
    /// can drive a terminal.
    /// </summary>
    public static string Escaped(ReadOnlySpan<byte> bytes, int max)
    {
        int length = 0;
        int count = 0;
        foreach (byte b in bytes)
        {
            int width = EscapedWidth(b, escapeComma: false);
            if (length + width > max) break;
            length += width;
            count++;
        }
        return string.Create(length, bytes[..count], static (chars, source) => CopyEscaped(source, chars));
    }

    /// <summary>
    /// Copies wire bytes into <paramref name="destination"/> as far as they fit whole: printable ASCII as it is, commas
    /// included unless <paramref name="escapeComma"/> (for an entry of a list they separate), and each other byte, <c>;</c>
    /// (which separates appDetail's parts) and <c>%</c> as <c>%</c> and two hex digits, so that percent-decoding gives the
    /// bytes back. An escape is never cut: bytes past the last that fits are left out. Returns the characters written.
    /// </summary>
    public static int CopyEscaped(ReadOnlySpan<byte> bytes, Span<char> destination, bool escapeComma = false)
    {
        int length = 0;
        foreach (byte b in bytes)
        {
            int width = EscapedWidth(b, escapeComma);
            if (length + width > destination.Length) break;
            if (width == 1)
            {
                destination[length++] = (char)b;
                continue;
            }
            destination[length++] = '%';
            destination[length++] = HexDigits[b >> 4];
            destination[length++] = HexDigits[b & 0xF];
        }
        return length;
    }

    private static int EscapedWidth(byte b, bool escapeComma) =>
        b is >= 32 and < 127 && b != ';' && b != '%' && (b != ',' || !escapeComma) ? 1 : 3;

    private const string HexDigits = "0123456789ABCDEF";

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}
