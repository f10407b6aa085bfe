using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using PortAudit.Common;
using PortAudit.Sources;

namespace PortAudit.Store;

/// <summary>
/// The embedded flow store: one DuckDB file, no server. One process at a time may have it open to write; a second one
/// (writer or reader) is refused with a message that names the file and points to PostgreSQL or a lake directory for
/// sensors that write at once. Nothing is spooled: the file is local, so there is no store to wait for.
/// </summary>
/// <remarks>
/// No partitions: the store is one file, and DuckDB keeps the minimum and maximum of every column per row group
/// (zone maps), so a window on <c>start</c> skips the row groups outside it as PostgreSQL's day partitions skip days;
/// flows arrive in about start order, which keeps those ranges narrow.
/// </remarks>
public sealed partial class DuckDbStore : IFlowStore
{
    private const string ReaderMemory = "512MB", WriterMemory = "512MB";

    /// <summary>The store in the file at <paramref name="path"/>, created by the first writer.</summary>
    public DuckDbStore(string path) => Path = path;

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Display => Path;

    /// <inheritdoc />
    public bool Spools => false;

    /// <summary>The relation an audit reads: the store's flows table.</summary>
    public DuckDbRelation Flows => new(Display, ConnectionString(readOnly: true), "portaudit.flows");

    /// <inheritdoc />
    public IStoreWriter OpenWriter(StoreWriterSettings settings, Action<string> notice)
    {
        if (settings.SpoolPath is not null)
            throw new InputException($"--spool: store {Display} is a local DuckDB file, which needs no spool");
        return new StoreFlowWriter(new DuckDbIngest(this), Display, spoolPath: null, settings, notice);
    }

    /// <inheritdoc />
    public IReadOnlyList<IFlowSource> OpenSources(StoreQuery query)
    {
        using (var connection = Connect(readOnly: true)) StoreSchema.Check(Display, DuckDbSchema.CurrentVersion(connection));
        return DuckDbFlowSource.Open(Flows, query);
    }

    /// <inheritdoc />
    public int Migrate()
    {
        using var connection = Connect(readOnly: false);
        return DuckDbSchema.Migrate(connection, Display);
    }

    /// <inheritdoc />
    public StoreStatus Status()
    {
        // A file that is not there has no schema; opening it would create it.
        if (!File.Exists(Path)) return new StoreStatus(0, null, [], 0, 0);
        using var connection = Connect(readOnly: true);
        int version = DuckDbSchema.CurrentVersion(connection);
        if (version == 0) return new StoreStatus(0, null, [], 0, 0);
        using var bySensor = connection.CreateCommand();
        bySensor.CommandText = StoreStatus.BySensorQuery;
        return StoreStatus.Of(version, null, bySensor);
    }

    /// <summary>
    /// An open connection; read-only ones may be held by several processes at once, a writing one by one process only.
    /// </summary>
    /// <exception cref="InputException">Another process has the file open, or the file is not a DuckDB store.</exception>
    internal DuckDBConnection Connect(bool readOnly)
    {
        if (readOnly && !File.Exists(Path)) throw new InputException($"store {Display}: no such file");
        var connection = new DuckDBConnection(ConnectionString(readOnly));
        try
        {
            connection.Open();
            return connection;
        }
        catch (DuckDBException ex)
        {
            connection.Dispose();
            throw Refused(Display, ex);
        }
    }

    /// <summary>
    /// The error of a file DuckDB could not open, said in one line: another process holding it (DuckDB's lock) is told
    /// as such, with the way to sensors that write at once.
    /// </summary>
    internal static InputException Refused(string display, DuckDBException ex)
    {
        if (!ex.Message.Contains("Could not set lock", StringComparison.Ordinal))
            return new InputException($"store {display}: {FirstLine(ex.Message)}", ex);
        string holder = HolderPid().Match(ex.Message) is { Success: true } pid ? $" (PID {pid.Groups[1].Value})" : "";
        return new InputException(
            $"store {display}: another process{holder} has this DuckDB file open, and DuckDB lets one process at a time write to it; " +
            "for sensors that write at once use a PostgreSQL store (--store postgresql://…) or a lake directory (--store DIR/)", ex);
    }

    // The writer's memory is bounded too: DuckDB takes up to 80% of the machine's by default, and its identity index grows
    // with the file (10,000,000 flows ingested with a peak RSS of 1,062 MiB unbounded; tools/bench/store-bench.sh).
    private string ConnectionString(bool readOnly) =>
        readOnly ? ReaderConnectionString(Path) : new DuckDBConnectionStringBuilder { DataSource = Path, ["memory_limit"] = WriterMemory }.ConnectionString;

    /// <summary>
    /// The connection string of a reader of <paramref name="dataSource"/>: a file opened read-only (several readers at
    /// once), or <c>:memory:</c> for a relation of files (Parquet).
    /// </summary>
    internal static string ReaderConnectionString(string dataSource)
    {
        var builder = new DuckDBConnectionStringBuilder { DataSource = dataSource };
        if (dataSource != DuckDBConnectionStringBuilder.InMemoryDataSource) builder["access_mode"] = "READ_ONLY";
        // An audit reads each input in start order (the order an audit of the capture judges its flows in), which DuckDB
        // sorts; its buffer manager keeps this much and spills the rest to a directory of this
        // process's own (a read-only file has no room for it), so the reader's memory stays bounded whatever the
        // store's size. tools/bench/store-bench.sh, 10,000,000 flows in one input: with 100 MB the sort ran out of
        // memory ("failed to pin block"); with 512 MB the audit peaked at 738 MiB, 633 MiB above the audit of the same
        // flows from their conn.log.
        builder["memory_limit"] = ReaderMemory;
        builder["temp_directory"] = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"portaudit-duckdb-{Environment.ProcessId}");
        // One thread: a sort on two needs more than the bound holds. 10,000,000 flows of a lake (Parquet, an in-memory
        // database) ran out of memory on two threads and were audited in 58 s with a peak RSS of 643 MiB on one; the
        // DuckDB file's, 49.8 s and 745 MiB on two, 51.8 s and 631 MiB on one.
        builder["threads"] = 1;
        return builder.ConnectionString;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    [GeneratedRegex(@"\(PID (\d+)\)")]
    private static partial Regex HolderPid();
}
