using System.Globalization;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Zeek's TSV conn.log: the <c>#separator</c> line (its value \x-escaped), <c>#unset_field</c> and
/// <c>#empty_field</c>, and a <c>#fields</c> line naming the columns, so that any column order or extra column
/// (vlan, local_resp, ip_proto) reads. A file may hold several headers (logs concatenated); each applies to the lines after it.
/// </summary>
public sealed class ZeekTsvReader : LineRecordReader
{
    private readonly ZeekConnFields _fields;
    private char _separator = '\t';
    private string _unset = "-";
    private string _empty = "(empty)";
    private ZeekField[]? _columns;

    /// <summary>
    /// A reader of <paramref name="text"/>; <paramref name="serverPorts"/> places the client of a connection whose opening
    /// Zeek did not see (ports below 1024 when null).
    /// </summary>
    public ZeekTsvReader(TextReader text, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null)
        : base(text, name, statistics) => _fields = new ZeekConnFields(serverPorts);

    /// <inheritdoc />
    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        if (line.Length == 0) return LineOutcome.Ignored;
        if (line[0] == '#') return Header(line);
        if (_columns is null) return Reject("record before the #fields header");
        _fields.Reset();
        var rest = line.AsSpan();
        int column = 0;
        foreach (var range in rest.Split(_separator))
        {
            if (column >= _columns.Length) return Reject($"more than the {_columns.Length} columns of #fields");
            var field = _columns[column++];
            var value = rest[range];
            if (field == ZeekField.None || value.SequenceEqual(_unset) || value.SequenceEqual(_empty)) continue;
            string? problem = value.Contains("\\x", StringComparison.Ordinal)
                ? _fields.Set(field, Unescape(value)) : _fields.Set(field, value);
            if (problem is not null) return Reject(problem);
        }
        if (column < _columns.Length) return Reject($"{column} columns where #fields names {_columns.Length}");
        return _fields.Build(ref record) is { } error ? Reject(error) : LineOutcome.Flow;
    }

    private LineOutcome Header(string line)
    {
        // #separator is followed by a space, the others by the separator itself.
        if (line.StartsWith("#separator ", StringComparison.Ordinal))
        {
            var value = Unescape(line.AsSpan("#separator ".Length).Trim());
            if (value.Length != 1) return Reject($"#separator '{RecordFields.Clip(value)}' is not one character");
            _separator = value[0];
            return LineOutcome.Ignored;
        }
        var rest = line.AsSpan(1);
        int split = rest.IndexOf(_separator);
        if (split < 0) return LineOutcome.Ignored;
        var key = rest[..split];
        var value2 = rest[(split + 1)..];
        if (key.SequenceEqual("unset_field")) _unset = value2.ToString();
        else if (key.SequenceEqual("empty_field")) _empty = value2.ToString();
        else if (key.SequenceEqual("fields"))
        {
            var columns = new List<ZeekField>();
            foreach (var range in value2.Split(_separator)) columns.Add(ZeekConnFields.FieldOf(value2[range]));
            _columns = columns.ToArray();
        }
        return LineOutcome.Ignored;
    }

    /// <summary>Zeek's \xHH escapes (a separator or a control character inside a value) back to characters.</summary>
    private static string Unescape(ReadOnlySpan<char> value)
    {
        var text = new System.Text.StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 3 < value.Length && value[i + 1] == 'x'
                && int.TryParse(value.Slice(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
            {
                text.Append((char)code);
                i += 3;
            }
            else text.Append(value[i]);
        }
        return text.ToString();
    }
}
