using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>One JSON object per line; one reusable writer, so a record costs no more than its strings.</summary>
public sealed class JsonLinesFlowWriter : IFlowRecordWriter
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
        for (int i = 0; i < Names.Length; i++)
        {
            switch (FlowFields.Value(flow, i))
            {
                case string s: _json.WriteString(Names[i], s); break;
                case long n: _json.WriteNumber(Names[i], n); break;
                default: _json.WriteNull(Names[i]); break;
            }
        }
        _json.WriteEndObject();
        _json.Flush();
        _output.WriteByte((byte)'\n');
        _json.Reset();
    }

    /// <inheritdoc />
    public void Complete() => _output.Flush();

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        _output.Dispose();
    }
}
