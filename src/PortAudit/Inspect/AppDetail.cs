using System.Collections.Concurrent;

namespace PortAudit.Inspect;

/// <summary>One part of an <see cref="AppDetail"/>: a bare word (<c>GET</c>, <c>starttls</c>) or a key and its value (<c>sni=example.org</c>).</summary>
/// <param name="Key">The key, or null for a bare word.</param>
/// <param name="Value">The value; wire text made printable, so hostile but never a control character.</param>
public readonly record struct DetailPart(string? Key, string Value)
{
    /// <summary>Characters the part takes when formatted: <c>key=value</c> or <c>value</c>.</summary>
    public int FormattedLength => Key is null ? Value.Length : Key.Length + 1 + Value.Length;
}

/// <summary>
/// What an inspector saw of a flow's application (method, SNI, dialect...), as parts that later stages can read by key.
/// Built once per flow when the inspector decides (see <see cref="AppDetailBuilder"/>), and formatted by the writers
/// as the parts joined by <c>"; "</c>, each <c>key=value</c> or a bare word: <c>GET; host=example.org</c>.
/// </summary>
public sealed class AppDetail
{
    private const string Separator = "; ";
    private static readonly ConcurrentDictionary<string, AppDetail> Words = new(StringComparer.Ordinal);
    private readonly DetailPart[] _parts;

    // Takes the array as it is: callers hand over one they no longer touch.
    internal AppDetail(DetailPart[] parts)
    {
        _parts = parts;
        int length = 0;
        foreach (var part in parts) length += part.FormattedLength;
        Length = length + Separator.Length * Math.Max(0, parts.Length - 1);
    }

    /// <summary>A detail of one bare word (<c>query</c>, <c>AS-REQ</c>); hold literal ones in static fields to share them between flows.</summary>
    public static AppDetail Of(string word) => new([new DetailPart(null, word)]);

    /// <summary>
    /// The shared detail of one bare word from an inspector's fixed vocabulary (an opcode's name): built once, so that
    /// labelling a flow allocates nothing. Never pass wire text here: the cache would grow with it.
    /// </summary>
    public static AppDetail Word(string word) => Words.GetOrAdd(word, static w => Of(w));

    /// <summary>A detail of the given parts, in order.</summary>
    public static AppDetail Of(params ReadOnlySpan<DetailPart> parts) => new(parts.ToArray());

    /// <summary>The parts in order.</summary>
    public IReadOnlyList<DetailPart> Parts => _parts;

    /// <summary>Characters of the formatted text.</summary>
    public int Length { get; }

    /// <summary>The value of the part with key <paramref name="key"/>, or null.</summary>
    public string? Find(string key)
    {
        foreach (var part in _parts)
            if (part.Key == key) return part.Value;
        return null;
    }

    /// <summary>
    /// The detail with <paramref name="part"/>: a keyed part replaces the one with its key (and what followed it, which
    /// was read from the same message), a bare word or a new key is appended.
    /// </summary>
    public AppDetail With(DetailPart part)
    {
        int at = part.Key is null ? -1 : Array.FindIndex(_parts, p => p.Key == part.Key);
        int keep = at < 0 ? _parts.Length : at;
        var parts = new DetailPart[keep + 1];
        Array.Copy(_parts, parts, keep);
        parts[keep] = part;
        return new AppDetail(parts);
    }

    /// <summary>Writes the text into <paramref name="destination"/>, which holds at least <see cref="Length"/> characters; returns the count.</summary>
    public int Format(Span<char> destination)
    {
        int at = 0;
        for (int i = 0; i < _parts.Length; i++)
        {
            if (i > 0) Put(destination, ref at, Separator);
            if (_parts[i].Key is { } key)
            {
                Put(destination, ref at, key);
                destination[at++] = '=';
            }
            Put(destination, ref at, _parts[i].Value);
        }
        return at;
    }

    private static void Put(Span<char> destination, ref int at, string text)
    {
        text.CopyTo(destination[at..]);
        at += text.Length;
    }

    /// <summary>The formatted text, e.g. <c>sni=example.org; alpn=h2; version=tls1.3</c>.</summary>
    public override string ToString() => string.Create(Length, this, static (span, detail) => detail.Format(span));
}
