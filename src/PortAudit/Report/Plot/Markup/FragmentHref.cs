using System.Text;

namespace PortAudit.Report.Plot;

/// <summary>
/// Links a plot may carry: only fragments within the same page (<c>#pair-…</c>). Anything that could leave the
/// page or run code (<c>javascript:</c>, <c>data:</c>, other documents) is refused, because a cell's target can be
/// derived from hostile names.
/// </summary>
public static class FragmentHref
{
    /// <summary>True for <c>#</c> followed by one or more ASCII letters, digits, '-', '_', '.' or ':'.</summary>
    public static bool IsSafe(string? href) => href is { Length: > 1 } && href[0] == '#' && IsSafeId(href.AsSpan(1));

    /// <summary>True for a non-empty id made only of ASCII letters, digits, '-', '_', '.' or ':'.</summary>
    public static bool IsSafeId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty) return false;
        foreach (char c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')) return false;
        return true;
    }

    /// <summary>Returns <paramref name="href"/> when it is a safe fragment link; throws otherwise.</summary>
    /// <exception cref="ArgumentException">The link is not a same-page fragment.</exception>
    public static string Require(string href, string parameterName = "href") =>
        IsSafe(href) ? href : throw new ArgumentException($"only same-page '#fragment' links are allowed, got '{href}'", parameterName);

    /// <summary>
    /// A link that sets the page's filter bars (<see cref="PageScript"/>): <c>#filter:NAME=VALUE&amp;…</c>, each value
    /// percent-encoded, so whatever the values hold the link is letters, digits and <c>-_.~%:=&amp;</c> only and stays
    /// within the page.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a safe id.</exception>
    public static string Filter(IEnumerable<KeyValuePair<string, string>> terms) =>
        "#filter:" + string.Join('&', terms.Select(t => (IsSafeId(t.Key) ? t.Key : throw new ArgumentException($"unsafe filter name '{t.Key}'", nameof(terms)))
            + "=" + Uri.EscapeDataString(t.Value)));

    /// <summary>
    /// A safe, stable element id made from arbitrary names, e.g. <c>AnchorId("pair", "edge", "front end")</c> is
    /// <c>pair-edge-front-end</c>. When the readable form lost information (case, other characters), a short hash of
    /// the exact names is appended so that distinct names never share an anchor.
    /// </summary>
    public static string AnchorId(string prefix, params string[] parts)
    {
        var builder = new StringBuilder(prefix.Length + 32);
        bool lossy = false;
        Append(builder, prefix, ref lossy);
        foreach (string part in parts)
        {
            builder.Append("--");
            Append(builder, part, ref lossy);
        }
        if (lossy) builder.Append('-').Append(Hash(prefix, parts).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        return builder.ToString();
    }

    /// <summary>The link to <see cref="AnchorId"/>: the same id behind a '#'.</summary>
    public static string To(string prefix, params string[] parts) => "#" + AnchorId(prefix, parts);

    private static void Append(StringBuilder builder, string text, ref bool lossy)
    {
        bool dash = false;
        foreach (char c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (char.IsAsciiLetterUpper(c)) lossy = true;
                builder.Append(char.ToLowerInvariant(c));
                dash = false;
            }
            else
            {
                if (c != '-' || dash) lossy = true;
                if (!dash) builder.Append('-');
                dash = true;
            }
        }
        if (text.Length == 0) lossy = true;
    }

    // FNV-1a: stable across runs and platforms, unlike string.GetHashCode.
    private static uint Hash(string prefix, string[] parts)
    {
        uint hash = 2166136261;
        void Mix(string s)
        {
            foreach (char c in s) { hash ^= c; hash *= 16777619; }
            hash ^= 0xFFFF; hash *= 16777619;
        }
        Mix(prefix);
        foreach (string part in parts) Mix(part);
        return hash;
    }
}
