using System.Globalization;

namespace PortAudit.Catalog;

/// <summary>
/// One server name a rule allows its flows to name (its <c>serverNames:</c> list): a DNS name (<c>sip.contoso.com</c>),
/// or a name's subdomains at any depth (<c>*.lync.com</c>: <c>sipfed.online.lync.com</c>, not <c>lync.com</c> itself).
/// A TLS, DTLS or QUIC client names its server in the SNI, an HTTP request in its Host, a proxy's CONNECT in its target;
/// names compare without case and without a final dot, as DNS compares them (RFC 4343).
/// </summary>
/// <param name="Name">The name in lower case, without the <c>*.</c> of a pattern.</param>
/// <param name="Subdomains">True for <c>*.NAME</c>: the names under <see cref="Name"/>.</param>
public readonly record struct ServerName(string Name, bool Subdomains)
{
    private const string AnySubdomain = "*.";
    private const int MaxName = 253, MaxLabel = 63;

    /// <summary>
    /// Reads a name or pattern as a rule file writes it; an internationalised name is taken in its ASCII form (the
    /// A-label a client sends, <see cref="IdnMapping"/>). False, with what is wrong, for anything else.
    /// </summary>
    public static bool TryParse(string text, out ServerName name, out string problem)
    {
        name = default;
        bool subdomains = text.StartsWith(AnySubdomain, StringComparison.Ordinal);
        string rest = subdomains ? text[AnySubdomain.Length..] : text;
        if (rest.Contains('*'))
        {
            problem = "a '*' stands only first, for the subdomains of the name after '*.'";
            return false;
        }
        try
        {
            rest = new IdnMapping().GetAscii(rest.TrimEnd('.'));
        }
        catch (ArgumentException)
        {
            problem = "not a DNS name";
            return false;
        }
        if (!IsHostName(rest))
        {
            problem = "not a DNS name (letters, digits, '-' and '_' in labels of 1 to 63, joined by '.')";
            return false;
        }
        name = new ServerName(rest.ToLowerInvariant(), subdomains);
        problem = "";
        return true;
    }

    /// <summary>
    /// True when <paramref name="named"/>, a name a flow gave (lower case, no final dot: <see cref="Normalize"/>), is this
    /// name or, for a pattern, under it.
    /// </summary>
    public bool Matches(ReadOnlySpan<char> named) => Subdomains
        ? named.Length > Name.Length + 1 && named.EndsWith(Name, StringComparison.Ordinal) && named[^(Name.Length + 1)] == '.'
        : named.SequenceEqual(Name);

    /// <summary>True when any of <paramref name="names"/> matches <paramref name="named"/>.</summary>
    public static bool Any(IReadOnlyList<ServerName> names, ReadOnlySpan<char> named)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i].Matches(named)) return true;
        return false;
    }

    /// <summary>
    /// A name as a flow gave it, made comparable: lower case, without a final dot; null when it is no DNS name (an
    /// address, or bytes no DNS name holds), which no server name matches.
    /// </summary>
    public static string? Normalize(string named)
    {
        string name = named.TrimEnd('.').ToLowerInvariant();
        return IsHostName(name) ? name : null;
    }

    /// <summary>As a rule file writes it.</summary>
    public override string ToString() => Subdomains ? AnySubdomain + Name : Name;

    // Labels of letters, digits, '-' and '_' (service labels such as _sip), 1 to 63 each, 253 in all, not all digits at
    // the end (an IPv4 address is no name).
    private static bool IsHostName(string name)
    {
        if (name.Length is 0 or > MaxName) return false;
        int label = 0;
        bool digitsOnly = true;
        foreach (char c in name)
        {
            if (c == '.')
            {
                if (label == 0) return false;
                label = 0;
                digitsOnly = true;
                continue;
            }
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || ++label > MaxLabel) return false;
            digitsOnly &= char.IsAsciiDigit(c);
        }
        return label > 0 && !digitsOnly;
    }
}
