using System.Globalization;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Zeek's TSV conn.log: the header lines (<see cref="ZeekTsvHeader"/>) and a <c>#fields</c> line naming the columns, so
/// that any column order or extra column (vlan, local_resp, ip_proto) reads. A file may hold several headers (logs
/// concatenated); each applies to the lines after it. A log whose <c>#path</c> names no connections is not read as flows:
/// ssl.log and http.log give the run's connections their server names (<see cref="ZeekLogJoin"/>, read before), any
/// other (dns, files, weird...) is noted in the run's statistics and passed over.
/// PortAudit's own TSV (<c>flows -f tsv</c>) reads back too: its columns, named as flows.jsonl names them, map to
/// conn.log's (start to ts, client to id.orig_h...) and the ones conn.log has no name for (end, state, app, appDetail,
/// evidence, icmpType, icmpCode, tunnel, cutOff) are applied as the Parquet reader applies ours (<see cref="OwnFlowColumns"/>).
/// </summary>
public sealed class ZeekTsvReader : LineRecordReader
{
    private readonly ZeekConnFields _fields;
    private readonly ZeekTsvHeader _header = new();
    private ZeekField[]? _columns;
    private OwnField[] _own = [];
    private string[] _names = [];
    // The values of our own columns in the line being read: they apply once conn.log's have built the record.
    private string?[] _ownValues = [];
    private bool _hasOwn, _carriesCutOff;

    /// <summary>
    /// A reader of <paramref name="text"/>; <paramref name="serverPorts"/> places the client of a connection whose opening
    /// Zeek did not see (ports below 1024 when null); <paramref name="names"/> gives connections the server names of the
    /// run's ssl.log and http.log.
    /// </summary>
    public ZeekTsvReader(TextReader text, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null, ZeekLogJoin? names = null)
        : base(text, name, statistics) => _fields = new ZeekConnFields(serverPorts, names);

    /// <summary>True when the last #fields header has our own <c>cutOff</c> column: its flows carry the writing run's mark.</summary>
    public override bool CarriesCutOff => _carriesCutOff;

    /// <inheritdoc />
    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        if (line.Length == 0) return LineOutcome.Ignored;
        if (line[0] == '#') return Header(line);
        if (ZeekLogKinds.Of(_header.Path) is var kind && kind != ZeekLogKind.Connections) return NoConnection(kind);
        if (_columns is null) return Reject("record before the #fields header");
        _fields.Reset();
        var rest = line.AsSpan();
        int column = 0;
        foreach (var range in rest.Split(_header.Separator))
        {
            if (column >= _columns.Length) return Reject($"more than the {_columns.Length} columns of #fields");
            int index = column++;
            var field = _columns[index];
            var value = rest[range];
            if (_hasOwn) _ownValues[index] = null;
            if ((field == ZeekField.None && _own[index] == OwnField.None) || _header.IsNone(value)) continue;
            if (_own[index] != OwnField.None)
            {
                _ownValues[index] = value.Contains('\\') ? ZeekTsvHeader.Unescape(value, ours: true) : value.ToString();
                continue;
            }
            var text = _hasOwn ? (value.Contains('\\') ? ZeekTsvHeader.Unescape(value, ours: true) : value)
                : value.Contains("\\x", StringComparison.Ordinal) ? ZeekTsvHeader.Unescape(value) : value;
            // Zeek's own log names only its transports: another proto there is no transport it wrote (ip_proto gives it).
            string? problem = _hasOwn ? OwnFlowColumns.SetZeek(_fields, field, text) : _fields.Set(field, text);
            if (problem is not null) return Reject(problem);
        }
        if (column < _columns.Length) return Reject($"{column} columns where #fields names {_columns.Length}");
        if (_fields.Build(ref record) is { } error) return Reject(error);
        // Built from conn.log's columns alone, a record has a detail or calls only from the run's other Zeek logs.
        if (record.AppDetail is not null || record.RpcCalls is not null) Statistics.CountZeekJoined();
        if (!_hasOwn) return LineOutcome.Flow;
        for (int c = 0; c < _ownValues.Length; c++)
        {
            if (_ownValues[c] is { } value && OwnFlowColumns.Apply(_own[c], _names[c], value, ref record) is { } problem)
                return Reject(problem);
        }
        OwnFlowColumns.Finish(ref record, Statistics, _fields.ServerPorts);
        return LineOutcome.Flow;
    }

    // A record of a log that holds no connections: ssl.log's and http.log's names were read before the run's flows were
    // (ZeekLogJoin); another log is named once in the run's statistics. Neither is a flow or a rejected record.
    private LineOutcome NoConnection(ZeekLogKind kind)
    {
        if (kind == ZeekLogKind.Other) Statistics.NoteOtherZeekLog(Name, _header.Path!);
        return LineOutcome.Ignored;
    }

    private LineOutcome Header(string line)
    {
        if (_header.Take(line, out bool fieldsChanged) is { } problem) return Reject(problem);
        if (!fieldsChanged) return LineOutcome.Ignored;
        _names = _header.Fields!;
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
        return LineOutcome.Ignored;
    }
}
