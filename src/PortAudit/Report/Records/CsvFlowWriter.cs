using System.Text;
using System.Buffers;
using PortAudit.Flows;
using PortAudit.Report.Text;

namespace PortAudit.Report.Records;

/// <summary>
/// RFC 4180 CSV with a header row, quoting as RFC 4180 says but with LF line ends, as Unix tools and every
/// spreadsheet read them (a quoted cell keeps its own line breaks). Text from packets is neutralised for spreadsheets: a cell that would start a formula
/// is quoted and prefixed with <c>'</c>, and control and bidi characters other than line breaks and tabs are written
/// as <c>\u202E</c>-style text.
/// </summary>
public sealed class CsvFlowWriter : IFlowRecordWriter, IFlowFieldSink
{
    private static readonly SearchValues<char> Special = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> FormulaStart = SearchValues.Create("=+-@\t\r");

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
        bool formula = value.Length > 0 && FormulaStart.Contains(value[0]);
        if (!formula && value.IndexOfAny(Special) < 0 && !OutsideText.HasActive(value))
        {
            _writer.Write(value);
            return;
        }
        bool quoted = formula || value.IndexOfAny(Special) >= 0;
        if (quoted) _writer.Write('"');
        // A spreadsheet would run a cell starting with = + - @ (or a tab or CR before them) as a formula: the quote
        // makes it text (OWASP CSV injection). Inside the RFC 4180 quotes, as a spreadsheet strips those first.
        if (formula) _writer.Write('\'');
        foreach (char c in value)
        {
            if (c == '"') _writer.Write('"');
            // Line breaks and tabs are data inside quotes; other controls and bidi controls would act in a viewer.
            if (c is not ('\r' or '\n' or '\t') && OutsideText.IsActive(c)) WriteVisible(c);
            else _writer.Write(c);
        }
        if (quoted) _writer.Write('"');
    }

    private void WriteVisible(char c)
    {
        Span<char> visible = stackalloc char[6];
        _writer.Write(visible[..OutsideText.FormatVisible(c, visible)]);
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
