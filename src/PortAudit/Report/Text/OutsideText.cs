using System.Buffers;
using System.Globalization;
using System.Text;

namespace PortAudit.Report.Text;

/// <summary>
/// Neutralises text from outside (packets, inventories, catalogs, file names) for the sinks people read as text: the
/// terminal and Markdown. Characters that would act instead of show (C0 and C1 controls, so ANSI escape sequences and
/// newlines, DEL, and the bidi controls that reorder what follows) are written visibly as <c>\n</c>, <c>\r</c>,
/// <c>\t</c> or <c>\u202E</c>-style text. Ordinary text comes back as the same string, so names read as before.
/// HTML and SVG have <see cref="Plot.MarkupEscaper"/>, CSV <see cref="Records.CsvFlowWriter"/>, JSON its encoder.
/// </summary>
public static class OutsideText
{
    // U+061C arabic letter mark, U+200E/F marks, U+202A-202E embeddings and overrides, U+2066-2069 isolates.
    private static readonly SearchValues<char> Bidi = SearchValues.Create("\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");
    private const char FirstBidi = '\u061C';
    private const char LastBidi = '\u2069';

    // Characters Markdown (GitHub-flavoured, tables included) gives a meaning to mid-line, and the HTML it lets through.
    private static readonly SearchValues<char> MarkdownSyntax = SearchValues.Create("\\`*_[]<>&|~#!");

    // Controls lie below U+00A0 and bidi controls at U+061C and above: most characters are told apart by one comparison,
    // and the set is looked up only for the few that may be in it (a per-character lookup was a tenth of writing the
    // corpus's report.json).
    /// <summary>True for a character that acts rather than shows: a control character or a bidi control.</summary>
    public static bool IsActive(char c) => c < FirstBidi ? char.IsControl(c) : Bidi.Contains(c);

    /// <summary><paramref name="value"/> for a terminal: controls and bidi controls shown as escapes, the rest as is.</summary>
    public static string Terminal(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value ?? string.Empty;
        if (!HasActive(value)) return value;
        var builder = new StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            if (IsActive(c)) AppendVisible(builder, c);
            else builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>
    /// <paramref name="value"/> for Markdown inline text or a table cell: controls shown as in <see cref="Terminal"/>,
    /// markup characters as entities, Markdown syntax backslash-escaped. An underscore inside a word (<c>ws_01</c>)
    /// is left alone: it cannot start emphasis there.
    /// </summary>
    public static string Markdown(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value ?? string.Empty;
        if (!NeedsMarkdownEscape(value)) return value;
        var builder = new StringBuilder(value.Length + 16);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            switch (c)
            {
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '&': builder.Append("&amp;"); break;
                case '_' when InWord(value, i):
                    builder.Append(c);
                    break;
                default:
                    if (IsActive(c)) AppendVisible(builder, c);
                    else if (MarkdownSyntax.Contains(c)) builder.Append('\\').Append(c);
                    else builder.Append(c);
                    break;
            }
        }
        return builder.ToString();
    }

    private static bool NeedsMarkdownEscape(string value)
    {
        for (int i = 0; i < value.Length; i++)
            if (IsActive(value[i]) || (MarkdownSyntax.Contains(value[i]) && !(value[i] == '_' && InWord(value, i)))) return true;
        return false;
    }

    private static bool InWord(string value, int i) =>
        i > 0 && i < value.Length - 1 && char.IsLetterOrDigit(value[i - 1]) && char.IsLetterOrDigit(value[i + 1]);

    /// <summary>True when <paramref name="value"/> holds a character <see cref="IsActive"/> is true for.</summary>
    public static bool HasActive(ReadOnlySpan<char> value)
    {
        // Printable ASCII, most of what reaches a report, is passed over at vector speed.
        int i = value.IndexOfAnyExceptInRange(' ', '~');
        if (i < 0) return false;
        foreach (char c in value[i..])
            if (IsActive(c)) return true;
        return false;
    }

    /// <summary>True for a bidi control: it reorders the text after it (U+202E shows "gpj.exe" as "exe.jpg").</summary>
    public static bool IsBidi(char c) => c >= FirstBidi && Bidi.Contains(c);

    /// <summary>Where the first bidi control of <paramref name="value"/> is, or -1.</summary>
    public static int IndexOfBidi(ReadOnlySpan<char> value)
    {
        // Text below U+061C, most of it, is passed over at vector speed; the set is searched from the first character
        // that may be in it.
        int start = value.IndexOfAnyInRange(FirstBidi, LastBidi);
        if (start < 0) return -1;
        int found = value[start..].IndexOfAny(Bidi);
        return found < 0 ? -1 : start + found;
    }

    /// <summary>Writes the visible form of <paramref name="c"/> (<c>\n</c>, <c>\u202E</c>) to <paramref name="destination"/>, at least 6 long.</summary>
    internal static int FormatVisible(char c, Span<char> destination)
    {
        char named = c switch { '\n' => 'n', '\r' => 'r', '\t' => 't', _ => '\0' };
        destination[0] = '\\';
        if (named != '\0')
        {
            destination[1] = named;
            return 2;
        }
        destination[1] = 'u';
        ((int)c).TryFormat(destination[2..], out _, "X4", CultureInfo.InvariantCulture);
        return 6;
    }

    /// <summary>Appends the visible form of <paramref name="c"/>, as <see cref="FormatVisible"/>.</summary>
    internal static void AppendVisible(StringBuilder builder, char c)
    {
        Span<char> visible = stackalloc char[6];
        builder.Append(visible[..FormatVisible(c, visible)]);
    }
}
