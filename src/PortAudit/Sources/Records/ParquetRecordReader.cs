using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Sources.Records;

/// <summary>
/// The columns of PortAudit's own flows.parquet that conn.log has no name for, as the Parquet writer names them
/// (snake_case of the flow field). They live here, below the writer, so that the reader needs nothing of the Report layer.
/// </summary>
public static class ParquetFlowColumns
{
    /// <summary>The flow's end, a timestamp: exact where ts + duration may lose the last microsecond.</summary>
    public const string End = "end";

    /// <summary>Our state's name (established, rejected, unanswered, midstream, blocked).</summary>
    public const string State = "state";

    /// <summary>Our application label's name.</summary>
    public const string App = "app";

    /// <summary>What a verdict on the flow can rest on (<see cref="FlowEvidenceNames.Name"/>).</summary>
    public const string Evidence = "evidence";

    /// <summary>An ICMP flow's type: our ICMP flows have no ports, so the type is a column of its own.</summary>
    public const string IcmpType = "icmp_type";

    /// <summary>An ICMP flow's code.</summary>
    public const string IcmpCode = "icmp_code";

    /// <summary>The tunnel the flow came in, by its own record's id (<see cref="Flow.Tunnel"/>).</summary>
    public const string Tunnel = "tunnel";

    /// <summary>
    /// Whether the capture ended less than 1 s after the flow began, while its run still held it (<see cref="Flow.CutOff"/>):
    /// an opening unanswered then is no failed attempt.
    /// </summary>
    public const string CutOff = "cut_off";

    /// <summary>What inspection saw, as flows.jsonl writes it (<see cref="AppDetail.Parse"/>).</summary>
    public const string AppDetail = "app_detail";

    /// <summary>What the flow's sides rest on: <c>opening</c>, <c>content</c>, or <c>ports</c> for a guess (FlowSidesNames).</summary>
    public const string Sides = "sides";

    /// <summary>With <see cref="Sides"/> <c>ports</c>: whether the flow's first packet came from the side taken for the server.</summary>
    public const string FirstFromServer = "first_from_server";

    /// <summary>The protocol weaknesses inspection saw, <see cref="FlowWeakness"/>'s bits as a number, as the store keeps them.</summary>
    public const string Weakness = "weakness";

    /// <summary>Whether another flow announced the flow (and its bytes did not refute it).</summary>
    public const string Announced = "announced";

    /// <summary>The DCE/RPC interface's UUID that inspection or an endpoint mapper named.</summary>
    public const string RpcInterfaceUuid = "rpc_interface_uuid";

    /// <summary>How the DCE/RPC interface was learned: <c>epm</c> or <c>bind</c> (<see cref="RpcEvidenceNames"/>).</summary>
    public const string RpcSource = "rpc_source";

    /// <summary>
    /// Every DCE/RPC interface the flow bound and the operations called on each (<see cref="RpcCallText"/>): a list of
    /// strings, as the store's array; files written before it was a list hold one text, an element a line.
    /// </summary>
    public const string RpcCalls = "rpc_calls";

    /// <summary>Whether more DCE/RPC interfaces were bound than <see cref="RpcCalls"/> keeps.</summary>
    public const string RpcMoreBindings = "rpc_more_bindings";

    /// <summary>Why the flow's DCE/RPC could not be read (<see cref="RpcCallLog.Uninspectable"/>).</summary>
    public const string RpcUninspectable = "rpc_uninspectable";

    /// <summary>How many ICMP errors answered the flow (<see cref="Flow.IcmpErrors"/>).</summary>
    public const string IcmpErrors = "icmp_errors";

    /// <summary>The first ICMP error that answered the flow and its sender, "port-unreachable from 10.0.0.1" (<see cref="Flows.IcmpErrors.Format"/>).</summary>
    public const string IcmpError = "icmp_error";

    /// <summary>
    /// The outer ends of the tunnel the flow came in, "udp 10.40.101.21 49840 198.51.100.10 4789"
    /// (<see cref="FlowTunnel.FormatOuter"/>), which name the tunnel in a finding as the audit of the capture named it.
    /// </summary>
    public const string TunnelOuter = "tunnel_outer";

    /// <summary>The columns without which no flow can be built (ZeekConnFields.Build's).</summary>
    public static IReadOnlyList<string> Required { get; } = ["ts", "id.orig_h", "id.resp_h", "proto"];
}

/// <summary>
/// Flow records from a Parquet file: PortAudit's own flows.parquet, or a Zeek conn.log written to Parquet with
/// Zeek's column names. Zeek's columns go through <see cref="ZeekConnFields"/>, so that they map exactly as the TSV and
/// JSON logs do; the columns of our own file (<see cref="ParquetFlowColumns"/>) then give what conn.log cannot say
/// (our state, app label, evidence, ICMP type and code). The file is read a row group at a time, so memory is bounded
/// by one row group whatever the file's size; a row group that cannot be decoded is counted as rejected, row by row.
/// </summary>
public sealed class ParquetRecordReader : IRecordReader
{
    /// <summary>Where a column's values go: a conn.log field, or one of our own.</summary>
    private sealed record Column(DataField Field, ZeekField Zeek, OwnField Own);

    private readonly Stream _stream;
    private readonly ParquetReader _reader;
    private readonly string _name;
    private readonly RecordStatistics _statistics;
    private readonly Column[] _columns;
    private readonly ZeekConnFields _fields;
    private string?[][] _values = [];
    private int _group = -1, _row, _rows;
    private long _rowsBefore;

    /// <summary>
    /// Opens <paramref name="stream"/> (which must seek, and which the reader then owns), named <paramref name="name"/> in
    /// messages. Throws <see cref="InputException"/> naming the file when it is no Parquet file or lacks a required column.
    /// <paramref name="serverPorts"/> places the client of a Zeek connection whose opening Zeek did not see (ports below
    /// 1024 when null); <paramref name="names"/> gives Zeek's connections the server names of the run's ssl.log and http.log.
    /// </summary>
    public ParquetRecordReader(Stream stream, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null, ZeekLogJoin? names = null)
    {
        _fields = new ZeekConnFields(serverPorts, names);
        _stream = stream;
        _name = name;
        _statistics = statistics;
        DataField[] fields;
        try
        {
            CheckFooter(stream, name);
            _reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
            // Parquet.Net makes the schema of the footer's elements when first asked: an element it cannot type (a
            // converted type turned into a scale) throws there, in its own words, as a footer that does not parse does.
            fields = _reader.Schema.GetDataFields();
        }
        catch (InputException)
        {
            stream.Dispose();
            throw;
        }
        catch (Exception ex)
        {
            // Parquet.Net says "not a Parquet file" in its own words and types; ours names the file. The footer is at most
            // the file's size (CheckFooter), so running out of memory here is a count inside it that lies: one failed
            // allocation, the input's fault, with nothing else in the process touched.
            _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            stream.Dispose();
            throw new InputException($"{name}: not a readable Parquet file: " +
                (ex is OutOfMemoryException ? "its footer declares more values than memory holds" : ex.Message), ex);
        }
        foreach (var required in ParquetFlowColumns.Required)
        {
            if (fields.Any(f => f.Path.ToString() == required || f.Name == required)) continue;
            Dispose();
            throw new InputException($"{name}: no column '{required}': not a PortAudit flows.parquet nor a Zeek conn.log in Parquet");
        }
        _columns = fields.Select(ColumnOf).Where(c => c.Zeek != ZeekField.None || c.Own != OwnField.None).ToArray();
        CarriesCutOff = _columns.Any(c => c.Own == OwnField.CutOff);
        foreach (var column in _columns)
        {
            if (Formatter(column.Field.ClrType) is not null) continue;
            Dispose();
            throw new InputException($"{name}: column '{column.Field.Name}' holds {column.Field.ClrType.Name}, not text, a number or a time");
        }
    }

    /// <summary>
    /// True when the file has our own <c>cut_off</c> column: its flows carry the mark of the run that wrote them (a lake's
    /// file holds a day or part of one, whose last flows were not where any input ended). A Zeek conn.log in Parquet has
    /// none, and ends where its records' times end, as the log does.
    /// </summary>
    public bool CarriesCutOff { get; }

    // A Parquet file ends with its footer's length (4 bytes, little-endian) and "PAR1", and begins with "PAR1". Parquet.Net
    // allocates the length it reads before it reads the footer: a length past the file (2^31 - 1) ran it out of memory.
    private static void CheckFooter(Stream stream, string name)
    {
        const int Magic = 4, Trailer = 8;
        long length = stream.Length;
        if (length < Magic + Trailer) throw new InputException($"{name}: not a readable Parquet file: {length} bytes, fewer than the 12 of its two 'PAR1' marks and footer length");
        Span<byte> trailer = stackalloc byte[Trailer];
        stream.Position = length - Trailer;
        stream.ReadExactly(trailer);
        stream.Position = 0;
        if (!trailer[Magic..].SequenceEqual("PAR1"u8)) throw new InputException($"{name}: not a readable Parquet file: it does not end with 'PAR1'");
        uint footer = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        long room = length - Magic - Trailer;
        if (footer > room)
            throw new InputException($"{name}: not a readable Parquet file: byte {length - Trailer}: footer length {footer} is more than the {room} bytes before it");
        // The footer's own encoding is walked before Parquet.Net reads it (ParquetFooterShape says why); it is at most the
        // file's size, read once more here.
        long start = length - Trailer - footer;
        var bytes = new byte[footer];
        stream.Position = start;
        stream.ReadExactly(bytes);
        stream.Position = 0;
        if (ParquetFooterShape.Problem(bytes) is { } problem)
            throw new InputException($"{name}: not a readable Parquet file: footer at byte {start}: {problem}");
    }

    // Zeek's dotted names (id.orig_h) are one column each, not nested fields: the name is the column's whole name. A
    // list's values are its items, named by the list's path (rpc_calls.list.element). Two lists are read: our rpc_calls,
    // and conn.log's tunnel_parents, a set (the uids of the tunnels the flow came in), which Zeek's TSV writes joined by
    // commas and its JSON as an array; the audit's roles and policy are the audit's own output.
    private static Column ColumnOf(DataField field)
    {
        if (field.MaxRepetitionLevel == 0) return new(field, ZeekConnFields.FieldOf(field.Name), OwnFlowColumns.OfParquet(field.Name));
        string? list = field.MaxRepetitionLevel == 1 ? field.Path.FirstPart : null;
        return new(field, list is not null && ZeekConnFields.FieldOf(list) == ZeekField.TunnelParents ? ZeekField.TunnelParents : ZeekField.None,
            list == ParquetFlowColumns.RpcCalls ? OwnField.RpcCalls : OwnField.None);
    }

    /// <inheritdoc />
    public bool TryRead(ref FlowRecord record)
    {
        while (true)
        {
            while (_row < _rows)
            {
                int row = _row++;
                record = default;
                if (Build(row, ref record) is { } problem)
                {
                    _statistics.Reject(new RecordProblem(_name, $"row {_rowsBefore + row + 1}", problem));
                    continue;
                }
                _statistics.CountRead();
                return true;
            }
            if (!NextGroup()) return false;
        }
    }

    private string? Build(int row, ref FlowRecord record)
    {
        _fields.Reset();
        for (int c = 0; c < _columns.Length; c++)
        {
            var (field, value) = (_columns[c].Zeek, _values[c][row]);
            if (field == ZeekField.None || string.IsNullOrEmpty(value)) continue;
            if (OwnFlowColumns.SetZeek(_fields, field, value) is { } problem) return problem;
        }
        if (_fields.Build(ref record) is { } error) return error;
        // Built from conn.log's columns alone, a record has a detail or calls only from the run's other Zeek logs.
        if (record.AppDetail is not null || record.RpcCalls is not null) _statistics.CountZeekJoined();
        for (int c = 0; c < _columns.Length; c++)
        {
            if (_columns[c].Own is not OwnField.None and var own && _values[c][row] is { Length: > 0 } value
                && OwnFlowColumns.Apply(own, _columns[c].Field.Name, value, ref record) is { } problem)
                return problem;
        }
        OwnFlowColumns.Finish(ref record, _statistics, _fields.ServerPorts);
        return null;
    }

    // The next row group's columns, as text: a damaged group is counted as rejected, all its rows, and the next one read.
    private bool NextGroup()
    {
        _rowsBefore += _rows;
        _row = _rows = 0;
        while (++_group < _reader.RowGroupCount)
        {
            long count = 0;
            try
            {
                using var group = _reader.OpenRowGroupReader(_group);
                count = group.RowCount;
                _values = _columns.Select(c => ReadText(group, c, checked((int)group.RowCount)).GetAwaiter().GetResult()).ToArray();
                _rows = (int)count;
                if (_rows > 0) return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _statistics.Reject(new RecordProblem(_name, $"row group {_group + 1}", $"cannot be decoded ({ex.Message}): its {count} rows skipped"),
                    Math.Max(1, count));
                _rowsBefore += count;
            }
        }
        return false;
    }

    // Every value in the text its conn.log would hold, so that ZeekConnFields parses it as it parses the TSV's.
    private static async Task<string?[]> ReadText(ParquetRowGroupReader group, Column column, int count)
    {
        var (field, type) = (column.Field, column.Field.ClrType);
        if (field.MaxRepetitionLevel > 0) return await Joined(group, field, count, column.Zeek == ZeekField.TunnelParents ? ZeekConnFields.SetSeparator : RpcCallText.Separator);
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var texts = new string?[count];
            await group.ReadAsync(field, texts.AsMemory(), null);
            return texts;
        }
        if (type == typeof(long)) return await Read<long>(group, field, count);
        if (type == typeof(int)) return await Read<int>(group, field, count);
        if (type == typeof(short)) return await Read<short>(group, field, count);
        if (type == typeof(ulong)) return await Read<ulong>(group, field, count);
        if (type == typeof(uint)) return await Read<uint>(group, field, count);
        if (type == typeof(ushort)) return await Read<ushort>(group, field, count);
        if (type == typeof(byte)) return await Read<byte>(group, field, count);
        if (type == typeof(double)) return await Read<double>(group, field, count);
        if (type == typeof(float)) return await Read<float>(group, field, count);
        if (type == typeof(decimal)) return await Read<decimal>(group, field, count);
        if (type == typeof(bool)) return await Read<bool>(group, field, count);
        return await Read<DateTime>(group, field, count);
    }

    // A list's items one after another, each with its repetition level (0 starts a row; an empty or missing list is one
    // null item): each row's items as the one text the TSV holds (rpc_calls' lines, RpcCallText; a Zeek set's members
    // joined by commas), null where it has none.
    private static async Task<string?[]> Joined(ParquetRowGroupReader group, DataField field, int rows, char separator)
    {
        long levels = group.GetMetadata(field)?.MetaData?.NumValues ?? throw new InvalidDataException($"column '{field.Path}' has no metadata");
        var items = new ReadOnlyMemory<char>[checked((int)levels)];
        var (definitions, repetitions) = (new int[items.Length], new int[items.Length]);
        await group.ReadRawAsync<ReadOnlyMemory<char>>(field, items.AsMemory(), definitions.AsMemory(), repetitions.AsMemory());
        return Joined(items, definitions, repetitions, field, rows, separator);
    }

    // Items with a value (the greatest definition level) come packed, one after another.
    private static string?[] Joined(ReadOnlyMemory<char>[] items, int[] definitions, int[] repetitions, DataField field, int count, char separator)
    {
        var rows = new string?[count];
        var text = new StringBuilder();
        int row = -1, item = 0;
        for (int i = 0; i < definitions.Length; i++)
        {
            if (repetitions[i] == 0)
            {
                if (row >= 0) rows[row] = text.Length > 0 ? text.ToString() : null;
                if (++row == count) throw new InvalidDataException($"column '{field.Path}' holds more lists than the row group's {count} rows");
                text.Clear();
            }
            else if (row < 0) throw new InvalidDataException($"column '{field.Path}' goes on with a list before its first");
            if (definitions[i] != field.MaxDefinitionLevel) continue;
            if (text.Length > 0) text.Append(separator);
            text.Append(items[item++].Span);
        }
        if (row >= 0) rows[row] = text.Length > 0 ? text.ToString() : null;
        if (row + 1 != count) throw new InvalidDataException($"column '{field.Path}' holds {row + 1} lists for the row group's {count} rows");
        return rows;
    }

    private static async Task<string?[]> Read<T>(ParquetRowGroupReader group, DataField field, int count) where T : struct
    {
        var format = Formatter(typeof(T))!;
        if (!field.IsNullable)
        {
            // A required column (Spark's, a NOT NULL table's) is stored without definition levels: read as plain values.
            var plain = new T[count];
            await group.ReadAsync(field, plain.AsMemory(), null);
            return plain.Select(v => (string?)format(v)).ToArray();
        }
        var values = new T?[count];
        await group.ReadAsync(field, values.AsMemory(), null);
        return values.Select(v => v is { } value ? format(value) : null).ToArray();
    }

    // Times as epoch seconds and durations as seconds, with microseconds as Zeek writes them (a double holds a 2020s
    // time to about a quarter of a microsecond: more digits would be its rounding, not the log's). Rounded by hand: a
    // format string keeps 15 significant digits, one short of a time's.
    private static Func<object, string>? Formatter(Type type) =>
        type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? v => (string)v
        : type == typeof(double) ? v => Seconds((long)Math.Round((double)v * 1e6))
        : type == typeof(float) ? v => Seconds((long)Math.Round((float)v * 1e6))
        : type == typeof(decimal) ? v => Seconds((long)Math.Round((decimal)v * 1_000_000m))
        : type == typeof(DateTime) ? v => Seconds((((DateTime)v).Ticks - DateTime.UnixEpoch.Ticks) / 10)
        : type == typeof(bool) ? v => (bool)v ? "true" : "false"
        : type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(ulong) || type == typeof(uint)
          || type == typeof(ushort) || type == typeof(byte) ? v => Convert.ToString(v, CultureInfo.InvariantCulture)!
        : null;

    // Before the epoch (or a negative duration) is no time a log holds: text the parsers refuse, so the record is rejected.
    private static string Seconds(long micros) => micros < 0 ? "-" : $"{micros / 1_000_000}.{micros % 1_000_000:D6}";

    /// <inheritdoc />
    public void Dispose()
    {
        // Null when the constructor failed before the footer was read.
        _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Dispose();
    }
}
