using System.Globalization;
using System.Text;
using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>RFC 4180 CSV with a header row.</summary>
public sealed class CsvFlowWriter : IFlowRecordWriter
{
    private readonly StreamWriter _writer;

    /// <summary>Creates the writer over <paramref name="output"/> and writes the header.</summary>
    public CsvFlowWriter(Stream output)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        _writer.Write(string.Join(',', FlowFields.Names));
        _writer.Write("\r\n");
    }

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        for (int i = 0; i < FlowFields.Names.Length; i++)
        {
            if (i > 0) _writer.Write(',');
            switch (FlowFields.Value(flow, i))
            {
                case string s: WriteQuoted(s); break;
                case long n: _writer.Write(n.ToString(CultureInfo.InvariantCulture)); break;
            }
        }
        _writer.Write("\r\n");
    }

    private void WriteQuoted(string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _writer.Write(value);
            return;
        }
        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\""));
        _writer.Write('"');
    }

    /// <inheritdoc />
    public void Complete() => _writer.Flush();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
