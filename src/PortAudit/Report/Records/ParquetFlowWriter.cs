using PortAudit.Flows;

namespace PortAudit.Report.Records;

/// <summary>
/// Flow records as a Parquet file, for DuckDB, Spark, Trino, Athena and pandas. Zeek's conn.log names lead where the
/// meaning is the same (<see cref="ZeekColumns"/>: <c>ts</c>, <c>uid</c>, <c>id.orig_h</c>...), then every other field
/// of <see cref="FlowFields"/> in snake_case (<c>id</c>, <c>end</c>, <c>state</c>, <c>app_detail</c>...), then a later
/// stage's (the audit's verdict). Times are UTC timestamps in microseconds, durations seconds as doubles, addresses
/// strings, counters signed 64-bit. Rows go out a row group at a time (<see cref="ParquetTable"/>). docs/store.md has
/// the schema.
/// </summary>
public sealed class ParquetFlowWriter : IFlowRecordWriter
{
    /// <summary>The field that is no <see cref="FlowFields"/> field: the flow's uid across runs (<see cref="FlowUids"/>).</summary>
    public const string UidField = "uid";

    /// <summary>Fields whose meaning is conn.log's, with conn.log's name, in conn.log's order: they are the file's first columns.</summary>
    public static readonly IReadOnlyList<(string Field, string Column)> ZeekColumns =
    [
        ("start", "ts"), (UidField, "uid"), ("client", "id.orig_h"), ("clientPort", "id.orig_p"), ("server", "id.resp_h"),
        ("serverPort", "id.resp_p"), ("transport", "proto"), ("duration", "duration"), ("packetsToServer", "orig_pkts"),
        ("packetsToClient", "resp_pkts"), ("bytesToServer", "orig_ip_bytes"), ("bytesToClient", "resp_ip_bytes"),
        ("communityId", "community_id"),
    ];

    private readonly ParquetTable _table;
    private readonly FlowUids _uids;
    private readonly int _uidField;

    /// <summary>Creates the writer over <paramref name="output"/>, which it then owns, with a fresh run's uids.</summary>
    public ParquetFlowWriter(Stream output) : this(output, new FlowUids(), [], []) { }

    /// <summary>
    /// Creates a writer whose records end with <paramref name="extraFields"/>, written by <see cref="Write{TExtra}"/>;
    /// those named in <paramref name="listFields"/> are lists of strings. <paramref name="uids"/> names the flows.
    /// </summary>
    public ParquetFlowWriter(Stream output, FlowUids uids, IReadOnlyList<string> extraFields, IReadOnlyCollection<string> listFields)
    {
        string[] fields = [.. FlowFields.Names, .. extraFields, UidField, .. ReadBackFields.Names];
        _uidField = fields.Length - 1 - ReadBackFields.Names.Count;
        _uids = uids;
        var columns = fields.Select(field => new ParquetColumn(ColumnName(field), KindOf(field, listFields))).ToArray();
        var zeek = ZeekColumns.Select(z => Array.IndexOf(fields, z.Field)).ToArray();
        _table = new ParquetTable(output, columns, [.. zeek, .. Enumerable.Range(0, fields.Length).Except(zeek)]);
    }

    /// <summary>The column of a field of <see cref="FlowFields"/> (or a later stage's): conn.log's name, or the field's in snake_case.</summary>
    public static string ColumnName(string field)
    {
        foreach (var (name, column) in ZeekColumns)
            if (name == field) return column;
        return string.Concat(field.Select(c => char.IsUpper(c) ? $"_{char.ToLowerInvariant(c)}" : c.ToString()));
    }

    // The types Zeek's TSV header gives the fields (TsvFlowWriter.Types) say which are times, intervals and counts.
    private static ParquetKind KindOf(string field, IReadOnlyCollection<string> listFields) =>
        listFields.Contains(field) || ReadBackFields.Lists.Contains(field) ? ParquetKind.TextList
        : TsvFlowWriter.Types.GetValueOrDefault(field) switch
        {
            "time" => ParquetKind.Time,
            "interval" => ParquetKind.Seconds,
            "count" or "port" => ParquetKind.Number,
            "bool" => ParquetKind.Flag,
            _ => ParquetKind.Text,
        };

    /// <inheritdoc />
    public void Write(Flow flow) => Write(flow, default(NoFields));

    /// <summary>Writes <paramref name="flow"/> followed by the extra fields of <paramref name="extra"/>.</summary>
    public void Write<TExtra>(Flow flow, TExtra extra) where TExtra : IFlowFieldSource
    {
        FlowFields.Write(flow, _table);
        extra.Write(_table, FlowFields.Names.Length);
        IFlowFieldSink sink = _table;
        sink.Text(_uidField, _uids.Of(flow.Id));
        ReadBackFields.Write(flow, sink, _uidField + 1);
        _table.EndRow();
    }

    /// <inheritdoc />
    public void Complete() => _table.Complete();

    /// <inheritdoc />
    public void Dispose() => _table.Dispose();
}
