using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PortAudit.Flows.Facts;

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
/// Built once per flow when the inspector decides (see <see cref="AppDetailBuilder"/>), and formatted as the parts
/// joined by <c>"; "</c>, each <c>key=value</c> or a bare word: <c>GET; host=example.org</c>.
/// </summary>
/// <remarks>
/// The formatted text is held whole with the bounds of each part in it, so that a labelled flow costs one string and
/// one small object, and writers copy the text as it is; parts are cut out of it only when a stage asks for them.
/// </remarks>
public sealed class AppDetail
{
    private const string Separator = "; ";
    private static readonly ConcurrentDictionary<string, AppDetail> Words = new(StringComparer.Ordinal);
    // The details this thread built lately, by a hash of their text (see FromText); a slot holds the last one.
    private const int RecentSlots = 256;
    [ThreadStatic] private static AppDetail?[]? t_recent;
    private readonly string _text;
    private readonly int _count;
    private PartBoundsArray _bounds;

    // Bounds index _text; a bare word's value starts where the part does.
    private AppDetail(string text, int count, scoped ReadOnlySpan<PartBounds> bounds)
    {
        Debug.Assert(count <= AppDetailBuilder.MaxParts && count == bounds.Length);
        _text = text;
        _count = count;
        bounds.CopyTo(_bounds);
    }

    /// <summary>The detail of the text <paramref name="text"/> whose parts start, have values and end where <paramref name="bounds"/> say.</summary>
    /// <remarks>
    /// A detail equal to one this thread built lately is that one again: flows repeat their details (one copy of the
    /// benchmark's base capture labels 2,712 flows with 448 distinct details), and a held flow's detail is a string and
    /// an object the collector would otherwise keep apiece. Details never change, so flows may share them.
    /// </remarks>
    internal static AppDetail FromText(scoped ReadOnlySpan<char> text, scoped ReadOnlySpan<PartBounds> bounds)
    {
        var recent = t_recent ??= new AppDetail?[RecentSlots];
        ref var slot = ref recent[string.GetHashCode(text) & (RecentSlots - 1)];
        if (slot is { } known && known.Is(text, bounds)) return known;
        return slot = new AppDetail(new string(text), bounds.Length, bounds);
    }

    private bool Is(scoped ReadOnlySpan<char> text, scoped ReadOnlySpan<PartBounds> bounds)
    {
        if (_count != bounds.Length || !_text.AsSpan().SequenceEqual(text)) return false;
        for (int i = 0; i < _count; i++)
            if (_bounds[i] != bounds[i]) return false;
        return true;
    }

    /// <summary>A detail of one bare word (<c>query</c>, <c>AS-REQ</c>); hold literal ones in static fields to share them between flows.</summary>
    public static AppDetail Of(string word) => new(word, 1, [new PartBounds(0, 0, Bound(word.Length))]);

    /// <summary>
    /// The shared detail of one bare word from an inspector's fixed vocabulary (an opcode's name): built once, so that
    /// labelling a flow allocates nothing. Never pass wire text here: the cache would grow with it.
    /// </summary>
    public static AppDetail Word(string word) => Words.GetOrAdd(word, static w => Of(w));

    /// <summary>A detail of the given parts, in order; parts past <see cref="AppDetailBuilder.MaxParts"/> are left out.</summary>
    public static AppDetail Of(params ReadOnlySpan<DetailPart> parts)
    {
        parts = parts[..Math.Min(parts.Length, AppDetailBuilder.MaxParts)];
        int length = Separator.Length * Math.Max(0, parts.Length - 1);
        foreach (var part in parts) length += part.FormattedLength;
        var text = new char[Math.Min(length, ushort.MaxValue)];
        var builder = new AppDetailBuilder(text);
        foreach (var part in parts)
        {
            builder.Part(part.Key);
            builder.Append(part.Value);
        }
        return builder.Build()!;
    }

    /// <summary>
    /// The detail whose formatted text is <paramref name="text"/> (<see cref="ToString"/>'s, as flows.jsonl and
    /// flows.parquet write it), or null when it is none: empty, longer than a detail's offsets hold, or with a character
    /// that is not printable ASCII (wire text is written escaped, so a file holding one was not written by us). A part
    /// is keyed when what precedes its first <c>=</c> is a key's lower-case word; parts past
    /// <see cref="AppDetailBuilder.MaxParts"/> are left out, as <see cref="Of(ReadOnlySpan{DetailPart})"/> leaves them.
    /// </summary>
    public static AppDetail? Parse(string text)
    {
        if (text.Length is 0 or > ushort.MaxValue) return null;
        foreach (char c in text)
            if (c is < ' ' or > '~') return null;
        Span<PartBounds> bounds = stackalloc PartBounds[AppDetailBuilder.MaxParts];
        int count = 0, start = 0, end = text.Length;
        while (count < AppDetailBuilder.MaxParts)
        {
            int next = text.IndexOf(Separator, start, StringComparison.Ordinal);
            int partEnd = next < 0 ? text.Length : next;
            int equals = text.IndexOf('=', start, partEnd - start);
            int valueStart = equals > start && IsKey(text.AsSpan(start, equals - start)) ? equals + 1 : start;
            bounds[count++] = new PartBounds((ushort)start, (ushort)valueStart, (ushort)partEnd);
            end = partEnd;
            if (next < 0) break;
            start = next + Separator.Length;
        }
        return new AppDetail(text[..end], count, bounds[..count]);
    }

    // The inspectors' keys: sni, proxy-source, dce.interface...
    private static bool IsKey(ReadOnlySpan<char> word)
    {
        foreach (char c in word)
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.')) return false;
        return true;
    }

    /// <summary>The parts in order, cut out of the text (this allocates: stages on the per-flow path use <see cref="HasWord"/> or <see cref="ValueAt"/>).</summary>
    public IReadOnlyList<DetailPart> Parts
    {
        get
        {
            var parts = new DetailPart[_count];
            for (int i = 0; i < _count; i++)
                parts[i] = new DetailPart(KeyAt(i) is { IsEmpty: false } key ? key.ToString() : null, ValueAt(i).ToString());
            return parts;
        }
    }

    /// <summary>Number of parts.</summary>
    public int Count => _count;

    /// <summary>Characters of the formatted text.</summary>
    public int Length => _text.Length;

    /// <summary>The value of part <paramref name="index"/> (a bare word's word).</summary>
    public ReadOnlySpan<char> ValueAt(int index)
    {
        var bounds = _bounds[index];
        return _text.AsSpan(bounds.ValueStart, bounds.End - bounds.ValueStart);
    }

    /// <summary>The key of part <paramref name="index"/>, empty for a bare word.</summary>
    public ReadOnlySpan<char> KeyAt(int index)
    {
        var bounds = _bounds[index];
        return bounds.ValueStart == bounds.Start ? default : _text.AsSpan(bounds.Start, bounds.ValueStart - 1 - bounds.Start);
    }

    /// <summary>The value of the part with key <paramref name="key"/>, or null.</summary>
    public string? Find(string key)
    {
        for (int i = 0; i < _count; i++)
            if (KeyAt(i).SequenceEqual(key)) return ValueAt(i).ToString();
        return null;
    }

    /// <summary>True when a bare word of the detail is <paramref name="word"/>.</summary>
    public bool HasWord(string word)
    {
        for (int i = 0; i < _count; i++)
            if (KeyAt(i).IsEmpty && ValueAt(i).SequenceEqual(word)) return true;
        return false;
    }

    /// <summary>
    /// <paramref name="detail"/> with <paramref name="part"/> (<see cref="With(DetailPart)"/>), or a detail of that part
    /// alone for a flow that had none.
    /// </summary>
    public static AppDetail With(AppDetail? detail, DetailPart part) => detail?.With(part) ?? Of(part);

    /// <summary>
    /// The detail with <paramref name="part"/>: a keyed part replaces the one with its key (and what followed it, which
    /// was read from the same message), a bare word or a new key is appended.
    /// </summary>
    public AppDetail With(DetailPart part)
    {
        // Built from this text's spans, as Of(parts) builds it: an inspector adds a part to most labelled flows (TLS
        // versions), and cutting the parts out first cost a string per part and two arrays.
        int keep = _count;
        if (part.Key is not null)
            for (int i = 0; i < _count; i++)
            {
                var key = KeyAt(i);
                if (!key.IsEmpty && key.SequenceEqual(part.Key)) { keep = i; break; }
            }
        // A ninth part is left out, as Of leaves it.
        if (keep >= AppDetailBuilder.MaxParts) return this;
        int length = part.FormattedLength + Separator.Length * keep;
        for (int i = 0; i < keep; i++)
        {
            var key = KeyAt(i);
            length += (key.IsEmpty ? 0 : key.Length + 1) + ValueAt(i).Length;
        }
        length = Math.Min(length, ushort.MaxValue);
        Span<char> text = length <= AppDetailBuilder.DefaultCapacity
            ? stackalloc char[AppDetailBuilder.DefaultCapacity] : new char[length];
        var builder = new AppDetailBuilder(text[..length]);
        for (int i = 0; i < keep; i++)
        {
            var key = KeyAt(i);
            builder.Part(key, keyed: !key.IsEmpty);
            builder.Append(ValueAt(i));
        }
        builder.Part(part.Key);
        builder.Append(part.Value);
        return builder.Build()!;
    }

    /// <summary>
    /// The detail without the part keyed <paramref name="key"/> and what followed it (read from the same message): a
    /// part said provisionally and then found to have nothing to say; null when no part is left.
    /// </summary>
    public AppDetail? Without(string key)
    {
        for (int i = 0; i < _count; i++)
        {
            var at = KeyAt(i);
            if (at.IsEmpty || !at.SequenceEqual(key)) continue;
            if (i == 0) return null;
            // The first parts' text and bounds are this one's prefix.
            ReadOnlySpan<PartBounds> bounds = _bounds;
            return FromText(_text.AsSpan(0, _bounds[i].Start - Separator.Length), bounds[..i]);
        }
        return this;
    }

    /// <summary>Writes the text into <paramref name="destination"/>, which holds at least <see cref="Length"/> characters; returns the count.</summary>
    public int Format(Span<char> destination)
    {
        _text.CopyTo(destination);
        return _text.Length;
    }

    /// <summary>The formatted text, e.g. <c>sni=example.org; alpn=h2; version=tls1.3</c>.</summary>
    public override string ToString() => _text;

    /// <summary>Clamps a text offset to what <see cref="PartBounds"/> holds; details never come near it.</summary>
    internal static ushort Bound(int offset) => (ushort)Math.Min(offset, ushort.MaxValue);

    /// <summary>Where one part lies in the text: its start, its value's start (its start for a bare word), its end.</summary>
    internal readonly record struct PartBounds(ushort Start, ushort ValueStart, ushort End);

    [InlineArray(AppDetailBuilder.MaxParts)]
    private struct PartBoundsArray
    {
        private PartBounds _element;
    }
}
