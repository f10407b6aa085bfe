using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources;

namespace PortAudit.Store;

/// <summary>
/// A flow store, whatever its engine: PostgreSQL for many sensors at once, or an embedded DuckDB file. Everything a
/// command does with a store goes through this: write a run's flows, read them back as an audit's sources, create or
/// migrate the schema, say what it holds.
/// </summary>
public interface IFlowStore
{
    /// <summary>The store as messages name it (never a password).</summary>
    string Display { get; }

    /// <summary>Whether flows wait in a local spool while the store is unreachable (a server); a local file needs none.</summary>
    bool Spools { get; }

    /// <summary>A writer of a run's flows, the schema created in an empty store.</summary>
    /// <exception cref="InputException">The store cannot be used: another schema version, or (DuckDB) another process has the file open.</exception>
    IStoreWriter OpenWriter(StoreWriterSettings settings, Action<string> notice);

    /// <summary>One source per sensor input with flows in the query's window, ordered by sensor and input.</summary>
    /// <exception cref="InputException">The store cannot be reached or opened, or holds no schema of this build's version.</exception>
    IReadOnlyList<IFlowSource> OpenSources(StoreQuery query);

    /// <summary>Brings the schema to this build's version; returns how many migrations were applied.</summary>
    int Migrate();

    /// <summary>The schema version and the flows per sensor.</summary>
    StoreStatus Status();
}

/// <summary>Writes a run's flows to a store: a consumer of the run, finished once with <see cref="Complete"/>.</summary>
public interface IStoreWriter : IFlowObserver, IDisposable
{
    /// <summary>Sends what is left and says what was stored. Call once, after the run.</summary>
    /// <exception cref="InputException">The store refused the flows, or they could be neither stored nor kept.</exception>
    StoreWriteResult Complete();

    /// <summary>Completes (<see cref="Complete"/>) and says in one line what was stored.</summary>
    /// <exception cref="InputException">As <see cref="Complete"/>.</exception>
    string Conclude()
    {
        var result = Complete();
        string replayed = result.Replayed > 0 ? $", {result.Replayed} replayed from the spool" : "";
        string spooled = result.Spooled > 0 ? $", {result.Spooled} left in the spool {result.SpoolPath}" : "";
        return $"store: {result.Flows} flows, {result.Added} new{replayed}{spooled}";
    }
}

/// <summary>One engine's way of putting a batch of rows into its flows table, each flow once.</summary>
internal interface IStoreIngest : IDisposable
{
    /// <summary>Opens the store now, creating the schema in an empty one.</summary>
    /// <exception cref="StoreUnavailableException">A server that cannot be reached (worth a spool and a later try).</exception>
    /// <exception cref="InputException">The store cannot be used.</exception>
    void Connect();

    /// <summary>Adds the flows of <paramref name="batch"/> the store does not hold yet; returns how many.</summary>
    long Send(FlowBatch batch);
}

/// <summary>The engine a <c>--store</c> value names.</summary>
public static class FlowStores
{
    private const string DuckDbPrefix = "duckdb:";

    /// <summary>
    /// A <c>postgresql://</c> or <c>postgres://</c> URL, or a key=value connection string (<c>Host=db;Database=flows</c>):
    /// PostgreSQL. A path ending in <c>/</c>: a lake of Parquet files (<see cref="LakeStore"/>). <c>duckdb:PATH</c>, or
    /// any other value, a path: a DuckDB file.
    /// </summary>
    /// <exception cref="InputException">A PostgreSQL location that does not parse.</exception>
    public static IFlowStore Parse(string text)
    {
        if (LakeLayout.Names(text)) return new LakeStore(text);
        if (text.StartsWith(DuckDbPrefix, StringComparison.OrdinalIgnoreCase)) return new DuckDbStore(text[DuckDbPrefix.Length..]);
        if (IsPostgres(text)) return new PostgresFlowStore(StoreLocation.Parse(text));
        return new DuckDbStore(text);
    }

    // A connection string starts with a key (letters and spaces: "Host", "User ID") and '='; a path does not.
    private static bool IsPostgres(string text)
    {
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return true;
        int equals = text.IndexOf('=');
        return equals > 0 && text.AsSpan(0, equals).Trim().Length > 0 && !text.AsSpan(0, equals).ContainsAnyExcept(KeyCharacters);
    }

    private static readonly System.Buffers.SearchValues<char> KeyCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ");
}

/// <summary>The PostgreSQL store: a server many sensors write to at once, day partitions, a spool while it is away.</summary>
internal sealed class PostgresFlowStore(StoreLocation location) : IFlowStore
{
    /// <summary>The server's location.</summary>
    public StoreLocation Location => location;

    /// <inheritdoc />
    public string Display => location.Display;

    /// <inheritdoc />
    public bool Spools => true;

    /// <inheritdoc />
    public IStoreWriter OpenWriter(StoreWriterSettings settings, Action<string> notice) => new StoreFlowWriter(location, settings, notice);

    /// <inheritdoc />
    public IReadOnlyList<IFlowSource> OpenSources(StoreQuery query) => StoreFlowSource.Open(location, query);

    /// <inheritdoc />
    public int Migrate() => StoreSchema.Migrate(location);

    /// <inheritdoc />
    public StoreStatus Status() => StoreSchema.Status(location);
}
