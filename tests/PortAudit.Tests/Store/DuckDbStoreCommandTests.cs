using PortAudit.Store;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Store;

/// <summary>
/// The embedded DuckDB store as a user meets it through the CLI: written by <c>flows --store FILE</c>, shown by
/// <c>store status</c>, audited by <c>audit --from-store FILE</c>, and refused, in one line with exit 2, to a second
/// process while another one writes to it.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class DuckDbStoreCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-duckdb-cli");
    private static readonly string Lab = SharedData.InRepository("captures/lab.pcapng");
    private static readonly string Inventory = SharedData.InRepository("captures/lab.yaml");

    private string File(string name) => Path.Combine(_dir.FullName, name);

    [Fact]
    public void A_second_process_meeting_a_store_another_one_writes_to_exits_2_naming_the_file_and_the_file_stays_readable()
    {
        string store = File("flows.duckdb");
        var notices = new List<string>();
        // This process writes to the store (the writer holds the file from its start) while the CLI tries to write and to read it.
        var writer = FlowStores.Parse(store).OpenWriter(new StoreWriterSettings { Sensor = "first", Inputs = [Lab] }, notices.Add);
        ExternalProgram.Result second, reader, status;
        try
        {
            second = CliProcess.Run($"flows \"{Lab}\" --store \"{store}\" --sensor second");
            reader = CliProcess.Run($"audit --from-store \"{store}\" --inventory \"{Inventory}\" --out \"{File("out")}\"");
        }
        finally
        {
            writer.Dispose();
        }
        status = CliProcess.Run($"store status --store \"{store}\"");

        foreach (var refused in new[] { second, reader })
        {
            Assert.Equal(2, refused.ExitCode);
            string line = Assert.Single(refused.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("another process"));
            Assert.Contains($"store {store}: another process (PID {Environment.ProcessId}) has this DuckDB file open", line);
            Assert.Contains("postgresql://", line);
            Assert.Contains("--store DIR/", line);
            Assert.DoesNotContain("   at ", refused.StandardError); // a message, not a stack trace
        }
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($"schema     version {StoreSchema.Version}", status.StandardOutput);
        Assert.Empty(notices);
    }

    [Fact]
    public void Flows_stored_in_a_duckdb_file_are_shown_by_store_status_added_once_and_audited_from_the_store()
    {
        string store = File("flows.duckdb");
        var missing = CliProcess.Run($"store status --store \"{store}\"");
        var first = CliProcess.Run($"flows \"{Lab}\" --store \"{store}\" --sensor edge");
        var again = CliProcess.Run($"flows \"{Lab}\" --store duckdb:\"{store}\" --sensor edge");
        var status = CliProcess.Run($"store status --store \"{store}\"");
        var audit = CliProcess.Run($"audit --from-store \"{store}\" --sensor edge --inventory \"{Inventory}\" --out \"{File("out")}\"");
        var fromFile = CliProcess.Run($"audit \"{Lab}\" --inventory \"{Inventory}\" --out \"{File("file-out")}\"");

        Assert.Equal(0, missing.ExitCode);
        Assert.Contains("schema     version 0", missing.StandardOutput);
        Assert.Equal((0, 0), (first.ExitCode, again.ExitCode));
        Assert.Contains("store: 16 flows, 16 new", first.StandardError);
        Assert.Contains("store: 16 flows, 0 new", again.StandardError);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($"store      {store}", status.StandardOutput);
        Assert.Contains($"schema     version {StoreSchema.Version} (this build: {StoreSchema.Version})", status.StandardOutput);
        Assert.Contains("partitions none (one file)", status.StandardOutput);
        Assert.Contains("sensor     edge: 16 flows", status.StandardOutput);
        Assert.Equal(fromFile.ExitCode, audit.ExitCode);
        Assert.Equal(Findings(File("file-out")), Findings(File("out")));
    }

    [Fact]
    public void A_duckdb_store_is_made_by_store_init_and_takes_no_spool()
    {
        string store = File("new.duckdb");
        var init = CliProcess.Run($"store init --store \"{store}\"");
        var again = CliProcess.Run($"store migrate --store \"{store}\"");
        var spool = CliProcess.Run($"flows \"{Lab}\" --store \"{store}\" --spool \"{File("x.spool")}\"");

        Assert.Equal(0, init.ExitCode);
        Assert.Contains($"{store}: {StoreSchema.Version} migration(s) applied", init.StandardOutput);
        Assert.Contains("nothing to do", again.StandardOutput);
        Assert.Equal(2, spool.ExitCode);
        Assert.Contains("is a local DuckDB file, which needs no spool", spool.StandardError);
        Assert.False(System.IO.File.Exists(File("x.spool")));
    }

    // The lines of an audit's findings.csv less flow_ids: the store's reader numbers the flows in its own order.
    internal static List<string> Findings(string output)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(output, "findings.csv"));
        int ids = Array.IndexOf(lines[0].Split(','), "flow_ids");
        Assert.True(ids > 0 && lines.Length > 3, lines[0]);
        return lines.Select(l => string.Join(',', l.Split(',').Where((_, i) => i != ids))).ToList();
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
