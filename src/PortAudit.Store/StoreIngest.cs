using Npgsql;
using NpgsqlTypes;
using PortAudit.Common;

namespace PortAudit.Store;

/// <summary>
/// One writer's connection to the store and the statements of ingest: partitions for the batch's days, then in one
/// transaction binary COPY into a session-local staging table and an insert of what the store does not hold yet
/// (COPY cannot skip conflicts; INSERT … ON CONFLICT DO NOTHING can). Sending a batch twice adds it once.
/// </summary>
internal sealed class StoreIngest : IStoreIngest
{
    private static readonly string Copy = $"COPY pg_temp.portaudit_staging ({FlowColumns.List}) FROM STDIN (FORMAT BINARY)";
    private static readonly string Insert = $"INSERT INTO portaudit.flows ({FlowColumns.List}) SELECT {FlowColumns.List} FROM pg_temp.portaudit_staging ON CONFLICT DO NOTHING";
    private readonly StoreLocation _store;
    private readonly HashSet<int> _partitions = new();
    private NpgsqlConnection? _connection;

    /// <summary>An ingest into <paramref name="store"/>; the connection opens with the first batch.</summary>
    public StoreIngest(StoreLocation store) => _store = store;

    /// <summary>Opens the connection now, creating the schema in an empty database.</summary>
    /// <exception cref="StoreUnavailableException">The store cannot be reached.</exception>
    /// <exception cref="InputException">The store's schema is not this build's.</exception>
    public void Connect()
    {
        if (_connection is not null) return;
        var connection = _store.Connect();
        try
        {
            StoreSchema.Prepare(_store, connection, create: true);
            CheckColumns(connection);
            Execute(connection, "CREATE TEMP TABLE IF NOT EXISTS portaudit_staging (LIKE portaudit.flows) ON COMMIT DELETE ROWS");
            _connection = connection;
        }
        catch (Exception ex) when (StoreUnavailableException.IsUnavailable(ex))
        {
            connection.Dispose();
            throw new StoreUnavailableException(_store, ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="batch"/>; returns the flows the store did not hold yet.</summary>
    /// <exception cref="StoreUnavailableException">The store went away; the connection is dropped, the next batch opens another.</exception>
    public long Send(FlowBatch batch)
    {
        Connect();
        var connection = _connection!;
        try
        {
            EnsurePartitions(connection, batch.Days);
            using var transaction = connection.BeginTransaction();
            using (var copy = connection.BeginRawBinaryCopy(Copy))
            {
                copy.Write(FlowRowEncoder.Header);
                copy.Write(batch.Rows);
                copy.Write(FlowRowEncoder.Trailer);
            }
            long inserted;
            using (var insert = new NpgsqlCommand(Insert, connection, transaction)) inserted = insert.ExecuteNonQuery();
            transaction.Commit();
            return inserted;
        }
        catch (Exception ex) when (StoreUnavailableException.IsUnavailable(ex))
        {
            Drop();
            throw new StoreUnavailableException(_store, ex);
        }
    }

    private void EnsurePartitions(NpgsqlConnection connection, IReadOnlyList<int> days)
    {
        var missing = days.Where(d => !_partitions.Contains(d)).Select(StoreTime.Date).ToArray();
        if (missing.Length == 0) return;
        using var command = new NpgsqlCommand("SELECT portaudit.ensure_flow_partitions($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = missing, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.ExecuteNonQuery();
        _partitions.UnionWith(days);
    }

    // A build whose flow records gained a field needs a migration that adds its column: say so before any COPY fails on it.
    private void CheckColumns(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'portaudit' AND table_name = 'flows'", connection);
        var present = new HashSet<string>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
            while (reader.Read()) present.Add(reader.GetString(0));
        var missing = FlowColumns.All.Where(c => !present.Contains(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0)
            throw new InputException($"store {_store.Display} lacks the column(s) {string.Join(", ", missing)} of this build's flow records: run 'portaudit store migrate --store URL'");
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private void Drop()
    {
        try
        {
            _connection?.Dispose();
        }
        catch (Exception ex) when (StoreUnavailableException.IsUnavailable(ex))
        {
            // Closing a connection whose server is gone may fail too; it is dropped either way.
        }
        _connection = null;
        _partitions.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => Drop();
}
