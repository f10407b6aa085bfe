using System.Globalization;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Zeek's TSV conn.log: the <c>#separator</c> line (its value \x-escaped), <c>#unset_field</c> and
/// <c>#empty_field</c>, and a <c>#fields</c> line naming the columns, so that any column order or extra column
/// (vlan, local_resp, ip_proto) reads. A file may hold several headers (logs concatenated); each applies to the lines after it.
/// PortAudit's own TSV (<c>flows -f tsv</c>) reads back too: its columns, named as flows.jsonl names them, map to
/// conn.log's (start to ts, client to id.orig_h...) and the ones conn.log has no name for (end, state, app, appDetail,
/// evidence, icmpType, icmpCode, tunnel, cutOff) are applied as the Parquet reader applies ours (<see cref="OwnFlowColumns"/>).
/// </summary>
public sealed class ZeekTsvReader : LineRecordReader
{
    private readonly ZeekConnFields _fields;
    private char _separator = '\t';
    private string _unset = "-";
    private string _empty = "(empty)";
    private ZeekField[]? _columns;
    private OwnField[] _own = [];
    private string[] _names = [];
    // The values of our own columns in the line being read: they apply once conn.log's have built the record.
    private string?[] _ownValues = [];
    private bool _hasOwn, _carriesCutOff;

    /// <summary>
    /// A reader of <paramref name="text"/>; <paramref name="serverPorts"/> places the client of a connection whose opening
    /// Zeek did not see (ports below 1024 when null).
    /// </summary>
    public ZeekTsvReader(TextReader text, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null)
        : base(text, name, statistics) => _fields = new ZeekConnFields(serverPorts);

    /// <summary>True when the last #fields header has our own <c>cutOff</c> column: its flows carry the writing run's mark.</summary>
    public override bool CarriesCutOff => _carriesCutOff;

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
            int index = column++;
            var field = _columns[index];
            var value = rest[range];
            if (_hasOwn) _ownValues[index] = null;
            if ((field == ZeekField.None && _own[index] == OwnField.None) || value.SequenceEqual(_unset) || value.SequenceEqual(_empty)) continue;
            if (_own[index] != OwnField.None)
            {
                _ownValues[index] = value.Contains('\\') ? Unescape(value, ours: true) : value.ToString();
                continue;
            }
            var text = _hasOwn ? (value.Contains('\\') ? Unescape(value, ours: true) : value)
                : value.Contains("\\x", StringComparison.Ordinal) ? Unescape(value) : value;
            // Zeek's own log names only its transports: another proto there is no transport it wrote (ip_proto gives it).
            string? problem = _hasOwn ? OwnFlowColumns.SetZeek(_fields, field, text) : _fields.Set(field, text);
            if (problem is not null) return Reject(problem);
        }
        if (column < _columns.Length) return Reject($"{column} columns where #fields names {_columns.Length}");
        if (_fields.Build(ref record) is { } error) return Reject(error);
        if (!_hasOwn) return LineOutcome.Flow;
        for (int c = 0; c < _ownValues.Length; c++)
        {
            if (_ownValues[c] is { } value && OwnFlowColumns.Apply(_own[c], _names[c], value, ref record) is { } problem)
                return Reject(problem);
        }
        OwnFlowColumns.Finish(ref record, Statistics, _fields.ServerPorts);
        return LineOutcome.Flow;
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
            var names = new List<string>();
            foreach (var range in value2.Split(_separator)) names.Add(value2[range].ToString());
            _names = names.ToArray();
            _columns = new ZeekField[_names.Length];
            _own = new OwnField[_names.Length];
            _ownValues = new string?[_names.Length];
            for (int c = 0; c < _names.Length; c++)
            {
                // Zeek's names first (duration is both its and ours); what it does not name may be one of our own TSV's.
                _columns[c] = ZeekConnFields.FieldOf(_names[c]);
                if (_columns[c] == ZeekField.None) (_columns[c], _own[c]) = OwnFlowColumns.OfTsv(_names[c]);
            }
            _hasOwn = Array.Exists(_own, o => o != OwnField.None);
            _carriesCutOff = Array.IndexOf(_own, OwnField.CutOff) >= 0;
        }
        return LineOutcome.Ignored;
    }

    /// <summary>
    /// Zeek's \xHH escapes (a separator or a control character inside a value) back to characters; with
    /// <paramref name="ours"/>, also what our TsvFlowWriter escapes besides: a backslash as \\, a bidi control as \uXXXX.
    /// </summary>
    private static string Unescape(ReadOnlySpan<char> value, bool ours = false)
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
            else if (ours && value[i] == '\\' && i + 1 < value.Length && value[i + 1] == '\\')
            {
                text.Append('\\');
                i++;
            }
            else if (ours && value[i] == '\\' && i + 5 < value.Length && value[i + 1] == 'u'
                && int.TryParse(value.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int unit))
            {
                text.Append((char)unit);
                i += 5;
            }
            else text.Append(value[i]);
        }
        return text.ToString();
    }
}
