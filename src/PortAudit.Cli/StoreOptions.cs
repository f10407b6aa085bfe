using System.CommandLine;
using PortAudit.Cli.Strict;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Store;
using Serilog;

namespace PortAudit.Cli;

/// <summary>
/// --store, --sensor and --spool: writing a run's flows to the flow store (flows and capture; collect takes the same
/// set). The writer is an <see cref="IFlowObserver"/> like any flow writer, so a command adds it to its consumers.
/// </summary>
public sealed class StoreOptions
{
    /// <summary>--store.</summary>
    public Option<string?> Store { get; } = new("--store")
    {
        Description = "Also write every flow to this flow store: a DuckDB file (flows.duckdb, or duckdb:PATH; embedded, one process " +
                      "at a time, no spool), or a PostgreSQL server for many sensors at once: postgresql://[user[:password]@]host[:port]/database " +
                      "(password better in PGPASSFILE/~/.pgpass or PGPASSWORD). The schema is created in an empty store. " +
                      "Or DIR/ (a trailing slash): a lake of Parquet files, DIR/sensor=NAME/day=YYYY-MM-DD/part-*.parquet, created if missing; " +
                      "append-only: reading a capture again adds its flows again.",
    };

    /// <summary>--sensor.</summary>
    public Option<string?> Sensor { get; } = new("--sensor") { Description = "With --store: the sensor name stored with each flow (default: the host name)." };

    /// <summary>--spool.</summary>
    public Option<string?> Spool { get; } = new("--spool")
    {
        Description = "With a PostgreSQL --store: where flows wait while the store is unreachable (default: a file per sensor and store " +
                      "under ~/.local/share/portaudit/spool). A DuckDB store is a local file and has no spool.",
    };

    /// <summary>--store-wait.</summary>
    public Option<double> Wait { get; } = new Option<double>("--store-wait")
    {
        Description = "With a PostgreSQL --store: seconds to go on trying a store that is down at the end of the run before leaving the spool for the next run (0: none).",
        DefaultValueFactory = _ => 30,
    }.Accepts(NumberRange.Wait);

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Store);
        command.Options.Add(Sensor);
        command.Options.Add(Spool);
        command.Options.Add(Wait);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Store) is null && (result.GetValue(Sensor) ?? result.GetValue(Spool)) is not null)
                result.AddError("--sensor and --spool need --store");
            if (result.GetValue(Sensor) is { } sensor && string.IsNullOrWhiteSpace(sensor))
                result.AddError("--sensor must not be empty");
        });
    }

    /// <summary>True when --store was given.</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(Store) is not null;

    /// <summary>The writer for a run of <paramref name="inputs"/>, or null without --store; its notices are logged as warnings (stderr).</summary>
    public IStoreWriter? Open(ParseResult parse, IReadOnlyList<string> inputs, ILogger log)
    {
        if (parse.GetValue(Store) is not { } location) return null;
        var store = FlowStores.Parse(location);
        var settings = new StoreWriterSettings { Inputs = inputs, SpoolPath = parse.GetValue(Spool), ReplayWait = TimeSpan.FromSeconds(parse.GetValue(Wait)) };
        if (parse.GetValue(Sensor) is { } sensor) settings = settings with { Sensor = sensor };
        // Warnings reach stderr through the logger (unless --log-level is set above Warning) and the log file.
        return store.OpenWriter(settings, notice => log.Warning("{Notice}", notice));
    }

    /// <summary>Finishes <paramref name="writer"/> and says what was stored.</summary>
    public static void Conclude(IStoreWriter? writer, ILogger log, bool quiet)
    {
        if (writer is null) return;
        string line = writer.Conclude();
        if (!quiet) TerminalText.Error($"portaudit: {line}");
        log.Information("{Store}", line);
    }
}

/// <summary>
/// --from-store and --sensor: an audit of the flow store instead of captures. The window is the command's own --since and
/// --until (<see cref="CaptureOptions.Window"/>), which the store's query narrows to as well.
/// </summary>
public sealed class FromStoreOptions
{
    /// <summary>--from-store.</summary>
    public Option<string?> Store { get; } = new("--from-store")
    {
        Description = "Audit the flows of this flow store instead of captures: a DuckDB file (flows.duckdb), a PostgreSQL server (postgresql://…) or a lake of Parquet files (DIR/).",
    };

    /// <summary>--sensor, repeatable.</summary>
    public Option<string[]> Sensors { get; } = new("--sensor")
    {
        Description = "With --from-store: only this sensor's flows; repeat for several (default: every sensor).",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>Adds the options to <paramref name="command"/>; <paramref name="captures"/> becomes optional, one of the two being required.</summary>
    public void AddTo(Command command, Argument<string[]> captures)
    {
        captures.Arity = ArgumentArity.ZeroOrMore;
        command.Options.Add(Store);
        command.Options.Add(Sensors);
        command.Validators.Add(result =>
        {
            bool fromStore = result.GetValue(Store) is not null;
            int count = result.GetValue(captures)?.Length ?? 0;
            if (fromStore && count > 0) result.AddError("give captures or --from-store, not both");
            if (!fromStore && count == 0) result.AddError("give at least one capture, or --from-store STORE");
            if (!fromStore && result.GetValue(Sensors) is { Length: > 0 }) result.AddError("--sensor needs --from-store");
        });
    }

    /// <summary>True when --from-store was given.</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(Store) is not null;

    /// <summary>The store's inputs in the window, as the run's sources.</summary>
    public IReadOnlyList<IFlowSource> Sources(ParseResult parse, (long? Since, long? Until) window)
    {
        var store = FlowStores.Parse(parse.GetValue(Store)!);
        var query = new StoreQuery
        {
            Sensors = parse.GetValue(Sensors) ?? [],
            Since = window.Since is { } since ? DateTimeOffset.UnixEpoch.AddTicks(since / 100) : null,
            Until = window.Until is { } until ? DateTimeOffset.UnixEpoch.AddTicks(until / 100) : null,
        };
        var sources = store.OpenSources(query);
        if (sources.Count == 0) throw new InputException($"store {store.Display}: no flows of the given sensors in the given window");
        return sources;
    }
}
