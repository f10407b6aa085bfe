using System.Buffers;
using System.Globalization;
using System.Text;
using PortAudit.Flows;
using PortAudit.Report.Text;

namespace PortAudit.Report.Records;

/// <summary>
/// Tab-separated records under a Zeek-style header (<c>#separator</c>, <c>#fields</c>, <c>#types</c>...), so that
/// <c>zeek-cut</c> picks columns by name and awk splits on tabs. Values are escaped as Zeek escapes them: a tab, line
/// break or backslash as <c>\x09</c>, <c>\x0a</c>, <c>\\</c>, other controls and bidi characters as <c>\xNN</c> or
/// <c>\u202E</c>; a missing value is <c>-</c> and an empty one <c>(empty)</c>; times are epoch seconds (Zeek's <c>time</c>).
/// </summary>
public sealed class TsvFlowWriter : IFlowRecordWriter, IFlowFieldSink
{
    /// <summary>What the header calls a missing value.</summary>
    public const string Unset = "-";

    /// <summary>What the header calls an empty value.</summary>
    public const string Empty = "(empty)";

    // Zeek's type names for the fields that are not plain strings. Times are Zeek's "time", epoch seconds with six
    // decimals, as conn.log writes ts: zeek-cut -d turns them into dates, and Zeek's readers take them as times.
    // The Parquet writer takes its column types from them too (ParquetFlowWriter).
    internal static readonly Dictionary<string, string> Types = new()
    {
        ["id"] = "count", ["start"] = "time", ["end"] = "time", ["duration"] = "interval", ["client"] = "addr", ["clientPort"] = "port", ["server"] = "addr",
        ["serverPort"] = "port", ["packetsToServer"] = "count", ["bytesToServer"] = "count", ["packetsToClient"] = "count",
        ["bytesToClient"] = "count", ["icmpType"] = "count", ["icmpCode"] = "count", ["icmpErrors"] = "count",
        ["cutOff"] = "bool", ["firstFromServer"] = "bool", ["weakness"] = "count", ["announced"] = "bool", ["rpcMoreBindings"] = "bool",
    };

    private static readonly SearchValues<char> Escaped = SearchValues.Create("\t\n\r\\");

    private readonly StreamWriter _writer;

    /// <summary>Creates the writer over <paramref name="output"/> and writes the header.</summary>
    public TsvFlowWriter(Stream output)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        _writer.Write($"#separator \\x09\n#set_separator\t,\n#empty_field\t{Empty}\n#unset_field\t{Unset}\n#path\tflows\n");
        // After the flow's fields, what an audit reading the file back needs to judge as the capture's audit did.
        string[] fields = [.. FlowFields.Names, .. ReadBackFields.Names];
        _writer.Write($"#fields\t{string.Join('\t', fields)}\n");
        _writer.Write($"#types\t{string.Join('\t', fields.Select(n => Types.GetValueOrDefault(n, "string")))}\n");
    }

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        FlowFields.Write(flow, this);
        ReadBackFields.Write(flow, this, FlowFields.Names.Length);
        _writer.Write('\n');
    }

    void IFlowFieldSink.Text(int field, ReadOnlySpan<char> value)
    {
        Separate(field);
        if (value.IsEmpty)
        {
            _writer.Write(Empty);
            return;
        }
        if (value.IndexOfAny(Escaped) < 0 && !OutsideText.HasActive(value))
        {
            _writer.Write(value);
            return;
        }
        Span<char> visible = stackalloc char[6];
        foreach (char c in value)
        {
            if (c == '\\') _writer.Write("\\\\");
            else if (c < ' ' || c == '\x7f') _writer.Write(string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"));
            else if (OutsideText.IsActive(c)) _writer.Write(visible[..OutsideText.FormatVisible(c, visible)]);
            else _writer.Write(c);
        }
    }

    void IFlowFieldSink.Time(int field, long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            // Before 1970 (a flow record's clock): rare enough for a formatted decimal.
            Separate(field);
            _writer.Write((nanoseconds / 1e9).ToString("F6", CultureInfo.InvariantCulture));
            return;
        }
        Span<byte> text = stackalloc byte[FlowFields.MaxSecondsLength];
        ((IFlowFieldSink)this).Verbatim(field, text[..FlowFields.FormatSeconds(nanoseconds, text)]);
    }

    void IFlowFieldSink.Number(int field, long value)
    {
        Separate(field);
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out int n, provider: CultureInfo.InvariantCulture);
        _writer.Write(digits[..n]);
    }

    void IFlowFieldSink.Null(int field)
    {
        Separate(field);
        _writer.Write(Unset);
    }

    // Zeek's bool: T or F.
    void IFlowFieldSink.Flag(int field, bool value)
    {
        Separate(field);
        _writer.Write(value ? 'T' : 'F');
    }

    private void Separate(int field)
    {
        if (field > 0) _writer.Write('\t');
    }

    /// <inheritdoc />
    public void Complete() => _writer.Flush();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
