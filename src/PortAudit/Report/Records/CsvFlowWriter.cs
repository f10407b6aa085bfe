using System.Text;
using PortAudit.Flows;
using PortAudit.Report.Text;

namespace PortAudit.Report.Records;

/// <summary>
/// RFC 4180 CSV with a header row, quoting as RFC 4180 says but with LF line ends, as Unix tools and every
/// spreadsheet read them (a quoted cell keeps its own line breaks); text from packets is neutralised for spreadsheets
/// (<see cref="CsvCell"/>).
/// </summary>
public sealed class CsvFlowWriter : IFlowRecordWriter, IFlowFieldSink
{
    private readonly StreamWriter _writer;

    /// <summary>Creates the writer over <paramref name="output"/> and writes the header.</summary>
    public CsvFlowWriter(Stream output)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        _writer.Write(string.Join(',', FlowFields.Names));
        _writer.Write('\n');
    }

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        FlowFields.Write(flow, this);
        _writer.Write('\n');
    }

    void IFlowFieldSink.Text(int field, ReadOnlySpan<char> value)
    {
        Separate(field);
        CsvCell.Write(_writer, value);
    }

    void IFlowFieldSink.Number(int field, long value)
    {
        Separate(field);
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out int n, provider: System.Globalization.CultureInfo.InvariantCulture);
        _writer.Write(digits[..n]);
    }

    void IFlowFieldSink.Null(int field) => Separate(field);

    private void Separate(int field)
    {
        if (field > 0) _writer.Write(',');
    }

    /// <inheritdoc />
    public void Complete() => _writer.Flush();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
