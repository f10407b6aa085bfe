using System.Text;
using DuckDB.NET.Data;

namespace PortAudit.Store;

/// <summary>
/// The embedded store's schema, versioned as PostgreSQL's (<see cref="StoreSchema"/>): the same version number means
/// the same columns, recorded in <c>portaudit.schema_version</c>. Its migrations are made from
/// <see cref="FlowColumns"/>, each column typed for DuckDB (<see cref="FlowColumn.DuckDbType"/>) and added by the
/// version that added it (<see cref="FlowColumn.Since"/>), so the two engines cannot disagree on a column.
/// </summary>
/// <remarks>
/// One process at a time writes to a DuckDB file (its lock), so migrations need no advisory lock; each runs in one
/// transaction. DuckDB 1.5 adds a column to a table that has an index (version 3's <c>tunnel</c>, beside
/// <c>flows_identity</c>); dropping the index and making it again in one transaction is what it refuses ("already exists").
/// </remarks>
internal static class DuckDbSchema
{
    // The version that made the flows' identity an index.
    private const int IdentitySince = 2;

    // The version whose identity holds the first frame too (FlowColumns.IdentityWithFrame).
    private const int IdentityWithFrameSince = 6;

    /// <summary>The SQL of migration <paramref name="version"/> (1-based).</summary>
    public static string Migration(int version)
    {
        var columns = FlowColumns.All.Where(c => c.Since == version).ToList();
        var sql = new StringBuilder();
        if (version == 1)
        {
            sql.Append("CREATE TABLE portaudit.flows (");
            sql.AppendJoin(", ", columns.Select(c => $"{FlowColumns.Quoted(c.Name)} {c.DuckDbType}"));
            sql.Append(");\n");
        }
        else
        {
            foreach (var column in columns)
                sql.Append($"ALTER TABLE portaudit.flows ADD COLUMN {FlowColumns.Quoted(column.Name)} {column.DuckDbType};\n");
        }
        // The identity as PostgreSQL's since version 2: ingest inserts what the index does not hold yet.
        if (version == IdentitySince)
            sql.Append($"CREATE UNIQUE INDEX flows_identity ON portaudit.flows ({string.Join(", ", FlowColumns.Identity.Select(FlowColumns.Quoted))});\n");
        // Version 6's identity, under a name of its own: DuckDB refuses to make an index again under the name it drops
        // in the same transaction.
        if (version == IdentityWithFrameSince)
            sql.Append("DROP INDEX portaudit.flows_identity;\n")
                .Append($"CREATE UNIQUE INDEX flows_identity_frame ON portaudit.flows ({string.Join(", ", FlowColumns.IdentityWithFrame.Select(FlowColumns.Quoted))});\n");
        return sql.ToString();
    }

    /// <summary>Brings the store to <see cref="StoreSchema.Version"/>; returns how many migrations were applied.</summary>
    /// <exception cref="Common.InputException">The store is newer than this build.</exception>
    public static int Migrate(DuckDBConnection connection, string display)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, """
            CREATE SCHEMA IF NOT EXISTS portaudit;
            CREATE TABLE IF NOT EXISTS portaudit.schema_version (
                version INTEGER PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now(), tool VARCHAR NOT NULL)
            """);
        int current = CurrentVersion(connection);
        if (current > StoreSchema.Version) throw StoreSchema.TooNew(display, current);
        for (int version = current + 1; version <= StoreSchema.Version; version++)
        {
            Execute(connection, Migration(version));
            using var record = connection.CreateCommand();
            record.CommandText = "INSERT INTO portaudit.schema_version (version, tool) VALUES ($version, $tool)";
            record.Parameters.Add(new DuckDBParameter("version", version));
            record.Parameters.Add(new DuckDBParameter("tool", Report.Digests.ToolVersion));
            record.ExecuteNonQuery();
        }
        transaction.Commit();
        return StoreSchema.Version - Math.Min(current, StoreSchema.Version);
    }

    /// <summary>The version recorded in the file, 0 when it has none.</summary>
    public static int CurrentVersion(DuckDBConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'portaudit' AND table_name = 'schema_version'";
        if (Convert.ToInt64(exists.ExecuteScalar()) == 0) return 0;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(version), 0) FROM portaudit.schema_version";
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="connection"/>.</summary>
    public static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
