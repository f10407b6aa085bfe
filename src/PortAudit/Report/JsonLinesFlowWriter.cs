using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>One JSON object per line, written through one reusable writer: a record allocates nothing.</summary>
public sealed class JsonLinesFlowWriter : IFlowRecordWriter, IFlowFieldSink
{
    private static readonly JsonEncodedText[] Names = FlowFields.Names.Select(n => JsonEncodedText.Encode(n)).ToArray();
    private readonly Stream _output;
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates the writer over <paramref name="output"/>.</summary>
    public JsonLinesFlowWriter(Stream output)
    {
        _output = new BufferedStream(output, 1 << 16);
        _json = new Utf8JsonWriter(_output, new JsonWriterOptions { SkipValidation = true });
    }

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        _json.WriteStartObject();
        FlowFields.Write(flow, this);
        _json.WriteEndObject();
        _json.Flush();
        _output.WriteByte((byte)'\n');
        _json.Reset();
    }

    void IFlowFieldSink.Text(int field, ReadOnlySpan<char> value) => _json.WriteString(Names[field], value);

    void IFlowFieldSink.Number(int field, long value) => _json.WriteNumber(Names[field], value);

    void IFlowFieldSink.Null(int field) => _json.WriteNull(Names[field]);

    /// <inheritdoc />
    public void Complete() => _output.Flush();

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        _output.Dispose();
    }
}
