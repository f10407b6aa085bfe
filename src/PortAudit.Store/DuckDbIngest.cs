using System.Text;
using DuckDB.NET.Data;
using PortAudit.Common;

namespace PortAudit.Store;

/// <summary>
/// The embedded store's ingest: a batch's rows appended with DuckDB's Appender into a staging table, then inserted
/// into <c>portaudit.flows</c> where the identity index does not hold them yet, in one transaction. Sending a batch
/// twice adds it once, as in PostgreSQL.
/// </summary>
/// <remarks>
/// The rows come as every batch holds them, in PostgreSQL's binary COPY form (<see cref="FlowRowEncoder"/>): one
/// encoding of a flow as a row for every engine, which this one reads back typed (<see cref="StoreRows"/>, as the
/// lake does) into the Appender.
/// Measured with tools/bench/store-bench.sh on 1,000,000 synthetic flows (batches of 10,000, 2 cores shared with
/// other builds): into an empty file, INSERT … ON CONFLICT DO NOTHING 44,000 and 39,700 flows/s, INSERT OR IGNORE
/// 40,600 flows/s (the same within the machine's noise); the same flows again (all conflicts), ON CONFLICT DO
/// NOTHING 222,000 flows/s, INSERT OR IGNORE 129,000 flows/s. Hence ON CONFLICT DO NOTHING, PostgreSQL's words too.
/// </remarks>
internal sealed class DuckDbIngest(DuckDbStore store) : IStoreIngest
{
    private const string Staging = "portaudit_staging";
    private static readonly string Insert =
        $"INSERT INTO portaudit.flows ({FlowColumns.List}) SELECT {FlowColumns.List} FROM temp.{Staging} ON CONFLICT DO NOTHING";
    private DuckDBConnection? _connection;

    /// <inheritdoc />
    public void Connect()
    {
        if (_connection is not null) return;
        var connection = store.Connect(readOnly: false);
        try
        {
            int current = DuckDbSchema.CurrentVersion(connection);
            if (current == 0) DuckDbSchema.Migrate(connection, store.Display);
            else StoreSchema.Check(store.Display, current);
            DuckDbSchema.Execute(connection,
                $"CREATE TEMP TABLE {Staging} ({string.Join(", ", FlowColumns.All.Select(c => $"{FlowColumns.Quoted(c.Name)} {c.DuckDbType}"))})");
            _connection = connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public long Send(FlowBatch batch)
    {
        Connect();
        var connection = _connection!;
        using var transaction = connection.BeginTransaction();
        using (var appender = connection.CreateAppender("temp", "main", Staging))
        {
            var rows = new AppenderRows(appender);
            StoreRows.Read(batch.Rows, _ => rows);
        }
        long inserted;
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = Insert;
            inserted = insert.ExecuteNonQuery();
        }
        DuckDbSchema.Execute(connection, $"DELETE FROM temp.{Staging}");
        transaction.Commit();
        return inserted;
    }

    /// <summary>
    /// A store row as a row of DuckDB's Appender: the values as <see cref="StoreRows"/> reads them back, in the
    /// staging table's types (<see cref="FlowColumn.DuckDbType"/>).
    /// </summary>
    private sealed class AppenderRows(DuckDBAppender appender) : IStoreRowSink
    {
        private IDuckDBAppenderRow? _row;

        private IDuckDBAppenderRow Row => _row ??= appender.CreateRow();

        public void Null(int column) => Row.AppendNullValue();

        public void Text(int column, ReadOnlySpan<byte> utf8) => Row.AppendValue(Encoding.UTF8.GetString(utf8));

        public void Number(int column, long value)
        {
            switch (FlowColumns.All[column].Kind)
            {
                case ColumnKind.Int2: Row.AppendValue((short)value); break;
                case ColumnKind.Int4: Row.AppendValue((int)value); break;
                default: Row.AppendValue(value); break;
            }
        }

        public void Time(int column, long unixMicros) => Row.AppendValue(DateTime.UnixEpoch.AddTicks(unixMicros * 10));

        public void Address(int column, IpAddr address) => Row.AppendValue(address.ToString());

        public void Flag(int column, bool value) => Row.AppendValue(value);

        public void TextList(int column, string?[] values) => Row.AppendValue(new List<string?>(values));

        public void EndRow()
        {
            Row.EndRow();
            _row = null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
