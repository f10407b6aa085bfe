using System.Text;
using PortAudit.Report.Text;

namespace PortAudit.Report.Plot;

/// <summary>
/// The one escaper for every string that reaches SVG or HTML output. Labels come from packets and inventories,
/// so they are treated as hostile: markup characters become entities, and characters XML 1.0 cannot carry at all
/// (C0/C1 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so the output always parses. Bidi controls, which
/// would reorder what the page shows, are shown as text (<c>\u202E</c>), as in every other output.
/// </summary>
public static class MarkupEscaper
{
    /// <summary>Replacement for characters that no XML or HTML document may contain.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>Escapes <paramref name="value"/> for element content (text nodes) in SVG or HTML.</summary>
    public static string Text(string? value) => Escape(value, attribute: false);

    /// <summary>Escapes <paramref name="value"/> for a double- or single-quoted attribute value in SVG or HTML.</summary>
    public static string Attribute(string? value) => Escape(value, attribute: true);

    /// <summary>
    /// The string as a parser reads it back from <see cref="Text"/> or <see cref="Attribute"/>: what tests and
    /// callers can compare a text node with.
    /// </summary>
    public static string Clean(string? value)
    {
        if (string.IsNullOrEmpty(value)) return string.Empty;
        var builder = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            int width = CharWidth(value, i);
            if (width == 0) builder.Append(Replacement);
            else if (OutsideText.IsBidi(value[i])) OutsideText.AppendVisible(builder, value[i]);
            else builder.Append(value, i, width);
            i += Math.Max(width, 1) - 1;
        }
        return builder.ToString();
    }

    private static string Escape(string? value, bool attribute)
    {
        if (string.IsNullOrEmpty(value)) return string.Empty;
        if (!NeedsEscaping(value, attribute)) return value;
        var builder = new StringBuilder(value.Length + 16);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            int width = CharWidth(value, i);
            if (width == 0) { builder.Append(Replacement); continue; }
            if (width == 2) { builder.Append(c).Append(value[++i]); continue; }
            if (OutsideText.IsBidi(c)) { OutsideText.AppendVisible(builder, c); continue; }
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                // A raw CR is folded into LF by XML parsers; the reference keeps the label as it was.
                case '\r': builder.Append("&#13;"); break;
                case '"' when attribute: builder.Append("&quot;"); break;
                case '\'' when attribute: builder.Append("&#39;"); break;
                // Attribute value normalisation would turn these into spaces; references survive it.
                case '\n' when attribute: builder.Append("&#10;"); break;
                case '\t' when attribute: builder.Append("&#9;"); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }

    private static bool NeedsEscaping(string value, bool attribute)
    {
        foreach (char c in value)
        {
            if (c is '&' or '<' or '>' or '\r' || c < ' ' || c >= '\u007F') return true;
            if (attribute && c is '"' or '\'') return true;
        }
        return false;
    }

    /// <summary>1 or 2 (surrogate pair) for a character XML may carry, 0 for one it may not.</summary>
    private static int CharWidth(string value, int i)
    {
        char c = value[i];
        if (char.IsHighSurrogate(c))
            return i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? 2 : 0;
        if (char.IsLowSurrogate(c)) return 0;
        if (c is '\t' or '\n' or '\r') return 1;
        // C0 controls are illegal in XML 1.0; C1 controls and DEL are parse errors in HTML.
        if (c < ' ' || c is >= '\u007F' and <= '\u009F') return 0;
        if (c is '\uFFFE' or '\uFFFF') return 0;
        return 1;
    }
}
