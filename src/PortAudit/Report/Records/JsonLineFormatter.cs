using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Report.Records;

/// <summary>Formats flow records as JSON lines into its own growing buffer; one per thread.</summary>
internal sealed class JsonLineFormatter
{
    // Printable ASCII that the default JSON encoder leaves alone. Text made only of these is copied byte for byte;
    // anything else (quotes, markup characters, controls, non-ASCII from hostile packets) is escaped by the framework.
    private static readonly SearchValues<char> Unescaped =
        SearchValues.Create(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Except("\"&'+<>\\`").ToArray());

    private readonly string[] _fieldNames;
    // Per field, its name with the separator before it: "start": for the first field, ,"end": and so on after it.
    private readonly byte[][] _names;
    // Per field, its name and a null after it: one copy for the many fields most records leave empty.
    private readonly byte[][] _nulls;
    private readonly RepeatedTexts _repeated;
    private readonly Timestamps.LastSecond _times = new();
    private byte[] _buffer = new byte[1 << 17];
    private int _length;
    // Text that needs escaping is written by the framework into a side buffer, then copied: its escapes stay the
    // framework's own, character for character.
    private readonly ArrayBufferWriter<byte> _escaped = new();
    private readonly Utf8JsonWriter _escaper;
    // The Community IDs of the flows last given to CommunityIds, CommunityId.Length bytes each.
    private byte[] _communityIds = [];

    public JsonLineFormatter(string[] fieldNames)
    {
        _fieldNames = fieldNames;
        _names = fieldNames.Select((name, i) => NamePrefix(name, first: i == 0)).ToArray();
        _nulls = _names.Select(name => (byte[])[.. name, .. "null"u8]).ToArray();
        _repeated = new RepeatedTexts(fieldNames.Length);
        _escaper = new Utf8JsonWriter(_escaped, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>Bytes formatted and not yet drained.</summary>
    public int Length => _length;

    /// <summary>A formatter for the same fields, for another thread.</summary>
    public JsonLineFormatter Twin() => new(_fieldNames);

    private static byte[] NamePrefix(string name, bool first) =>
        [.. first ? ""u8 : ","u8, (byte)'"', .. JsonEncodedText.Encode(name).EncodedUtf8Bytes, .. "\":"u8];

    public void Format(Flow flow) => Format(flow, default(NoFields), default);

    public void Format<TExtra>(Flow flow, TExtra extra) where TExtra : IFlowFieldSource => Format(flow, extra, default);

    /// <summary>
    /// Formats <paramref name="flow"/> with <paramref name="communityId"/> as its Community ID when not empty (its part
    /// of <see cref="CommunityIds"/>), then the fields of <paramref name="extra"/>.
    /// </summary>
    private void Format<TExtra>(Flow flow, TExtra extra, ReadOnlySpan<byte> communityId) where TExtra : IFlowFieldSource
    {
        Append("{"u8);
        var sink = new Sink(this);
        FlowFields.Write(flow, sink, communityId);
        extra.Write(sink, FlowFields.Names.Length);
        Append("}\n"u8);
    }

    /// <summary>Formats <paramref name="flows"/> in order, their Community IDs taken together.</summary>
    public void FormatAll(ReadOnlySpan<Flow> flows)
    {
        var ids = CommunityIds(flows);
        for (int i = 0; i < flows.Length; i++) Format(flows[i], default(NoFields), CommunityIdOf(ids, i));
    }

    /// <summary>
    /// Formats <paramref name="flows"/> in order, each followed by the extra fields of the same place in
    /// <paramref name="extras"/>, their Community IDs taken together.
    /// </summary>
    public void FormatAll<TExtra>(ReadOnlySpan<Flow> flows, ReadOnlySpan<TExtra> extras) where TExtra : IFlowFieldSource
    {
        Debug.Assert(extras.Length == flows.Length);
        var ids = CommunityIds(flows);
        for (int i = 0; i < flows.Length; i++) Format(flows[i], extras[i], CommunityIdOf(ids, i));
    }

    private static ReadOnlySpan<byte> CommunityIdOf(ReadOnlySpan<byte> ids, int index) =>
        ids.Slice(index * CommunityId.Length, CommunityId.Length);

    /// <summary>
    /// The Community IDs of <paramref name="flows"/>, <see cref="CommunityId.Length"/> bytes each, taken together
    /// (<see cref="CommunityId.FormatMany"/>); valid until the next call.
    /// </summary>
    private ReadOnlySpan<byte> CommunityIds(ReadOnlySpan<Flow> flows)
    {
        int length = flows.Length * CommunityId.Length;
        if (_communityIds.Length < length) _communityIds = new byte[length];
        CommunityId.FormatMany(flows, _communityIds);
        return _communityIds.AsSpan(0, length);
    }

    /// <summary>Forgets what was formatted and not written: the records of a write that failed further up.</summary>
    public void Discard() => _length = 0;

    /// <summary>
    /// Writes what was formatted to <paramref name="output"/> and empties the buffer, also when the write fails: records
    /// whose write failed are lost, and written again later they would follow records formatted after them.
    /// </summary>
    public void DrainTo(Stream output)
    {
        try
        {
            output.Write(_buffer, 0, _length);
        }
        finally
        {
            _length = 0;
        }
    }

    public void Text(int field, ReadOnlySpan<char> value)
    {
        Append(_names[field]);
        String(value);
    }

    public void Text(int field, string value)
    {
        if (_repeated.TryGet(field, value, out var known))
        {
            Append(known);
            return;
        }
        int start = _length;
        Append(_names[field]);
        String(value);
        _repeated.Remember(field, value, _buffer.AsSpan(start, _length - start));
    }

    public void Time(int field, long nanoseconds)
    {
        var name = _names[field];
        var free = Reserve(name.Length + Timestamps.IsoLength + 2);
        name.CopyTo(free);
        free[name.Length] = (byte)'"';
        int length = _times.Format(nanoseconds, free[(name.Length + 1)..]);
        free[name.Length + 1 + length] = (byte)'"';
        _length += name.Length + length + 2;
    }

    public void Verbatim(int field, ReadOnlySpan<byte> ascii)
    {
        var name = _names[field];
        var free = Reserve(name.Length + ascii.Length + 2);
        name.CopyTo(free);
        free[name.Length] = (byte)'"';
        ascii.CopyTo(free[(name.Length + 1)..]);
        free[name.Length + ascii.Length + 1] = (byte)'"';
        _length += name.Length + ascii.Length + 2;
    }

    public void Number(int field, long value)
    {
        var name = _names[field];
        var free = Reserve(name.Length + 20);
        name.CopyTo(free);
        Utf8Formatter.TryFormat(value, free[name.Length..], out int digits);
        _length += name.Length + digits;
    }

    public void Seconds(int field, long nanoseconds)
    {
        var name = _names[field];
        var free = Reserve(name.Length + FlowFields.MaxSecondsLength);
        name.CopyTo(free);
        _length += name.Length + FlowFields.FormatSeconds(nanoseconds, free[name.Length..]);
    }

    public void Null(int field) => Append(_nulls[field]);

    public void Flag(int field, bool value)
    {
        Append(_names[field]);
        Append(value ? "true"u8 : "false"u8);
    }

    public void TextList(int field, IReadOnlyList<string> values)
    {
        if (_repeated.TryGet(field, values, out var known))
        {
            Append(known);
            return;
        }
        int start = _length;
        Append(_names[field]);
        Append("["u8);
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0) Append(","u8);
            String(values[i]);
        }
        Append("]"u8);
        _repeated.Remember(field, values, _buffer.AsSpan(start, _length - start));
    }

    private void String(ReadOnlySpan<char> value)
    {
        if (value.ContainsAnyExcept(Unescaped))
        {
            _escaper.WriteStringValue(value);
            _escaper.Flush();
            _escaper.Reset(); // or the next value would be taken for a second item and get a comma
            Append(_escaped.WrittenSpan);
            _escaped.ResetWrittenCount();
            return;
        }
        var free = Reserve(value.Length + 2);
        free[0] = (byte)'"';
        Ascii.FromUtf16(value, free[1..], out _);
        free[value.Length + 1] = (byte)'"';
        _length += value.Length + 2;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>The free part of the buffer, at least <paramref name="count"/> bytes; the caller adds what it wrote to the length.</summary>
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        return _buffer.AsSpan(_length);
    }

    /// <summary>
    /// The formatter as a value-type sink, so that <see cref="FlowFields"/> calls its methods directly (and inlines the
    /// small ones) instead of through the interface, field after field.
    /// </summary>
    private readonly struct Sink(JsonLineFormatter formatter) : IFlowFieldSink
    {
        public void Text(int field, ReadOnlySpan<char> value) => formatter.Text(field, value);
        public void Text(int field, string value) => formatter.Text(field, value);
        public void Verbatim(int field, ReadOnlySpan<byte> ascii) => formatter.Verbatim(field, ascii);
        public void Number(int field, long value) => formatter.Number(field, value);
        public void Null(int field) => formatter.Null(field);
        public void Flag(int field, bool value) => formatter.Flag(field, value);
        public void Seconds(int field, long nanoseconds) => formatter.Seconds(field, nanoseconds);
        public void Time(int field, long nanoseconds) => formatter.Time(field, nanoseconds);
        public void TextList(int field, IReadOnlyList<string> values) => formatter.TextList(field, values);
    }
}
