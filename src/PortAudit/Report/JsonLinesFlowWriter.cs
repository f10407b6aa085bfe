using System.Buffers;
using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>One JSON object per line, written through one reusable writer: a record allocates nothing.</summary>
public sealed class JsonLinesFlowWriter : IFlowRecordWriter, IFlowFieldSink
{
    // Records collect in memory and reach the stream in large writes: a Utf8JsonWriter over a stream flushes the
    // stream itself on every Flush, which would be one system call per record.
    private const int WriteThreshold = 1 << 16;
    private readonly JsonEncodedText[] _names;
    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _pending = new(WriteThreshold * 2);
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates the writer over <paramref name="output"/>.</summary>
    public JsonLinesFlowWriter(Stream output) : this(output, []) { }

    /// <summary>Creates a writer whose records end with <paramref name="extraFields"/>, written by <see cref="Write{TExtra}"/>.</summary>
    public JsonLinesFlowWriter(Stream output, IReadOnlyList<string> extraFields)
    {
        _names = FlowFields.Names.Concat(extraFields).Select(n => JsonEncodedText.Encode(n)).ToArray();
        _output = output;
        _json = new Utf8JsonWriter(_pending, new JsonWriterOptions { SkipValidation = true });
    }

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        _json.WriteStartObject();
        FlowFields.Write(flow, this);
        EndRecord();
    }

    /// <summary>Writes <paramref name="flow"/> followed by the extra fields of <paramref name="extra"/>.</summary>
    public void Write<TExtra>(Flow flow, TExtra extra) where TExtra : IFlowFieldSource
    {
        _json.WriteStartObject();
        FlowFields.Write(flow, this);
        extra.Write(this, FlowFields.Names.Length);
        EndRecord();
    }

    private void EndRecord()
    {
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _pending.GetSpan(1)[0] = (byte)'\n';
        _pending.Advance(1);
        if (_pending.WrittenCount >= WriteThreshold) Drain();
    }

    private void Drain()
    {
        _output.Write(_pending.WrittenSpan);
        _pending.ResetWrittenCount();
    }

    void IFlowFieldSink.Text(int field, ReadOnlySpan<char> value) => _json.WriteString(_names[field], value);

    void IFlowFieldSink.Number(int field, long value) => _json.WriteNumber(_names[field], value);

    void IFlowFieldSink.Null(int field) => _json.WriteNull(_names[field]);

    void IFlowFieldSink.TextList(int field, IReadOnlyList<string> values)
    {
        _json.WriteStartArray(_names[field]);
        foreach (var value in values) _json.WriteStringValue(value);
        _json.WriteEndArray();
    }

    /// <inheritdoc />
    public void Complete()
    {
        Drain();
        _output.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        Drain();
        _output.Dispose();
    }
}
