using DuckDB.NET.Data;
using PortAudit.Store;
using Xunit;

namespace PortAudit.Tests.Store;

/// <summary>
/// A store of either engine for a test that must give the same answer from both: PostgreSQL on a server of its own
/// (<see cref="PostgresServer"/>), DuckDB in a file of the test's directory.
/// </summary>
internal sealed class TestStore : IDisposable
{
    /// <summary>The engines a theory runs over: DuckDB always, PostgreSQL where a server can start.</summary>
    public static TheoryData<string> Engines => PostgresServer.Unavailable is null ? new TheoryData<string> { "postgresql", "duckdb" } : new TheoryData<string> { "duckdb" };

    private readonly PostgresServer? _server;
    private readonly string? _file;

    private TestStore(IFlowStore store, PostgresServer? server, string? file)
    {
        Store = store;
        _server = server;
        _file = file;
    }

    /// <summary>The store.</summary>
    public IFlowStore Store { get; }

    /// <summary>The PostgreSQL server, null for DuckDB.</summary>
    public PostgresServer? Server => _server;

    /// <summary>An empty store of <paramref name="engine"/> ("postgresql", "duckdb"), its file under <paramref name="root"/>.</summary>
    public static TestStore Start(string engine, string root)
    {
        if (engine == "duckdb")
        {
            string file = Path.Combine(root, "flows.duckdb");
            return new TestStore(FlowStores.Parse(file), null, file);
        }
        var server = PostgresServer.Start(out string url);
        return new TestStore(FlowStores.Parse(url), server, null);
    }

    /// <summary>The text of an address column in SQL (PostgreSQL's inet prints its prefix length without host()).</summary>
    public string Host(string column) => _server is null ? column : $"host({column})";

    /// <summary>The first value of <paramref name="sql"/> as text.</summary>
    public string Scalar(string sql)
    {
        if (_server is not null) return _server.Scalar(sql.Replace("\"", "\\\""));
        using var connection = new DuckDBConnection($"DataSource={_file};access_mode=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Runs <paramref name="sql"/>, which may write (the store's writer must be closed).</summary>
    public void Execute(string sql)
    {
        if (_server is not null)
        {
            _server.Scalar(sql.Replace("\"", "\\\""));
            return;
        }
        using var connection = new DuckDBConnection($"DataSource={_file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _server?.Dispose();
}

/// <summary>A theory over <see cref="TestStore.Engines"/> that is skipped when the ../shared data it reads is missing.</summary>
public sealed class StoreTheoryAttribute : TheoryAttribute
{
    /// <param name="shared">A path under ../shared the test reads too, or null.</param>
    public StoreTheoryAttribute(string? shared = null)
    {
        if (shared is not null && !SharedData.Exists(shared)) Skip = $"../shared/{shared} not found";
    }
}
