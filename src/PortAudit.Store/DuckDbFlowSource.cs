using System.Data.Common;
using DuckDB.NET.Data;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources;

namespace PortAudit.Store;

/// <summary>
/// Where DuckDB reads flows from: a relation whose columns are <see cref="FlowColumns.All"/> by name, typed as
/// <see cref="FlowColumn.DuckDbType"/>: the embedded store's table (<see cref="DuckDbStore.Flows"/>), or Parquet files
/// read by an in-memory database (<see cref="Files"/>).
/// </summary>
/// <param name="Display">How messages name it.</param>
/// <param name="ConnectionString">The DuckDB connection string (<c>DataSource=…</c>).</param>
/// <param name="From">The FROM clause: a table, a table function, or a subquery in parentheses.</param>
public sealed record DuckDbRelation(string Display, string ConnectionString, string From)
{
    /// <summary>
    /// Files DuckDB reads by a table function, e.g. <c>Files("lake/", "read_parquet('lake/**/*.parquet', hive_partitioning = true)")</c>,
    /// through an in-memory database with a reader's memory bound.
    /// </summary>
    public static DuckDbRelation Files(string display, string from) =>
        new(display, DuckDbStore.ReaderConnectionString(DuckDB.NET.Data.DuckDBConnectionStringBuilder.InMemoryDataSource), from);
}

/// <summary>
/// One sensor input of a DuckDB relation read back as a flow-record source: its flows in the query's window, in the
/// order they started, streamed (DuckDB's streaming results: the reader holds one chunk of rows, whatever the size).
/// The same flows as <see cref="StoreFlowSource"/> gives from PostgreSQL, restored by the same code.
/// </summary>
public sealed class DuckDbFlowSource : IFlowSource
{
    private readonly DuckDbRelation _relation;
    private readonly StoreQuery _query;
    private readonly StoreInput _input;

    private DuckDbFlowSource(DuckDbRelation relation, StoreQuery query, StoreInput input)
    {
        _relation = relation;
        _query = query;
        _input = input;
    }

    /// <inheritdoc />
    public string Name => _input.Name;

    /// <summary>
    /// The sources of every sensor input of <paramref name="relation"/> with flows in the query's window, ordered by
    /// sensor and input: a run's whole source list, in this order.
    /// </summary>
    /// <exception cref="InputException">The relation cannot be opened or read.</exception>
    public static IReadOnlyList<DuckDbFlowSource> Open(DuckDbRelation relation, StoreQuery query)
    {
        try
        {
            using var connection = new DuckDBConnection(relation.ConnectionString);
            connection.Open();
            using var command = Command(connection, relation, query, "DISTINCT sensor, input", null, "sensor, input");
            using var reader = command.ExecuteReader();
            return StoreInput.ReadAll(reader).Select(input => new DuckDbFlowSource(relation, query, input)).ToList();
        }
        catch (DuckDBException ex)
        {
            throw DuckDbStore.Refused(relation.Display, ex);
        }
    }

    /// <inheritdoc />
    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        try
        {
            using var connection = new DuckDBConnection(_relation.ConnectionString);
            connection.Open();
            using var command = Command(connection, _relation, _query, FlowColumns.List, (_input.Sensor, _input.Input), FlowColumns.ReadOrder);
            command.UseStreamingMode = true;
            using var reader = command.ExecuteReader();
            var hint = sink.ServerPorts;
            long place = 0;
            Func<long, Flow> create = id => FlowRowRestore.Restore(reader, DuckDbRowValues.Instance, id, _input.Number, hint, place);
            while (!cancel.IsCancellationRequested && reader.Read())
            {
                place++;
                sink.AddFlow(create);
            }
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidCastException or FormatException or InputException)
        {
            // The relation failed while read, or holds a value of another type: the audit goes on with what it read and
            // its report says the store failed.
            sink.Fail(ex as StoreException ?? new StoreException($"store {_relation.Display}, {Name}: {ex.Message.Split('\n', 2)[0]}", ex));
        }
    }

    // The window is taken on start_ns, the exact start: a bound on the microsecond gives PostgreSQL's answer on start,
    // and no time zone setting of the session comes between.
    private static DuckDBCommand Command(DuckDBConnection connection, DuckDbRelation relation, StoreQuery query, string columns,
        (string Sensor, string Input)? input, string order)
    {
        var command = connection.CreateCommand();
        string anySensor = "sensor IN (" + string.Join(", ", query.Sensors.Select((_, i) => $"$sensor{i}")) + ")";
        string where = query.Where(input is not null, anySensor, '$', start: "start_ns");
        command.CommandText = $"SELECT {columns} FROM {relation.From} {where} ORDER BY {order}";
        if (input is { } one)
        {
            command.Parameters.Add(new DuckDBParameter("sensor", one.Sensor));
            command.Parameters.Add(new DuckDBParameter("input", one.Input));
        }
        else
        {
            for (int i = 0; i < query.Sensors.Count; i++) command.Parameters.Add(new DuckDBParameter($"sensor{i}", query.Sensors[i]));
        }
        if (query.Since is { } since) command.Parameters.Add(new DuckDBParameter("since", Nanoseconds(since)));
        if (query.Until is { } until) command.Parameters.Add(new DuckDBParameter("until", Nanoseconds(until)));
        return command;
    }

    private static long Nanoseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}

/// <summary>DuckDB's values: addresses as text (VARCHAR), text arrays as <c>List&lt;string&gt;</c> (DuckDB.NET).</summary>
internal sealed class DuckDbRowValues : StoreRowValues
{
    /// <summary>The one instance.</summary>
    public static readonly DuckDbRowValues Instance = new();

    /// <inheritdoc />
    public override IpAddr Address(DbDataReader row, int column) => IpAddr.Parse(row.GetString(column));

    /// <inheritdoc />
    public override string?[] Texts(DbDataReader row, int column) => row.GetFieldValue<List<string?>>(column).ToArray();
}
