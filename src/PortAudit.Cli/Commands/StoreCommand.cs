using System.CommandLine;
using System.Globalization;
using PortAudit.Report;
using PortAudit.Store;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit store init|migrate|status</c>: the flow store's schema, created and versioned by the tool.</summary>
public static class StoreCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("store", "Create, migrate or inspect the flow store (a DuckDB file or a PostgreSQL server).");
        command.Subcommands.Add(Sub("init", "Create the schema in an empty database (or bring it to this build's version).", Migrate));
        command.Subcommands.Add(Sub("migrate", "Apply the schema migrations this build has and the store lacks.", Migrate));
        command.Subcommands.Add(Sub("status", "Print the schema version, partitions and flows per sensor.", Status));
        return command;
    }

    private static Command Sub(string name, string description, Func<IFlowStore, int> action)
    {
        var command = new Command(name, description);
        var store = new Option<string>("--store") { Description = "The store: a DuckDB file (flows.duckdb) or postgresql://[user@]host[:port]/database.", Required = true };
        command.Options.Add(store);
        command.SetAction(parse => CommandRunner.Run(parse, _ => action(FlowStores.Parse(parse.GetValue(store)!))));
        return command;
    }

    private static int Migrate(IFlowStore store)
    {
        int applied = store.Migrate();
        Console.WriteLine(applied == 0
            ? $"{store.Display}: schema at version {StoreSchema.Version}, nothing to do"
            : $"{store.Display}: {applied} migration(s) applied, schema at version {StoreSchema.Version}");
        return ExitCodes.Ok;
    }

    private static int Status(IFlowStore store)
    {
        var status = store.Status();
        Console.WriteLine($"store      {store.Display}");
        Console.WriteLine($"schema     version {status.Version} (this build: {StoreSchema.Version})");
        if (status.Version == 0) return ExitCodes.Ok;
        Console.WriteLine(status.Partitions is { } days ? $"partitions {days} (days)" : "partitions none (one file)");
        if (status.FlowsBySensor.Count > 0)
            Console.WriteLine($"flows      {Time(status.FirstNs)} .. {Time(status.LastNs)} (starts)");
        foreach (var (sensor, flows) in status.FlowsBySensor)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sensor     {sensor}: {flows} flows"));
        return ExitCodes.Ok;
    }

    private static string Time(long ns) => Timestamps.ToIso(ns);
}
