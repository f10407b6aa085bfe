using System.Diagnostics;

namespace PortAudit.Tests.Cli;

/// <summary>
/// The tool as tools/publish.sh ships it (out/portaudit/portaudit, compiled ahead of time) against the build the other
/// tests run: the same bytes out for the same input. The published binary has no JIT and no run-time reflection over
/// types the compiler did not see, so what works in the build can fail there (a serializer reflecting over a record);
/// these tests are where that shows.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class PublishedToolTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-published");

    public void Dispose() => _dir.Delete(recursive: true);

    [PublishedToolFact]
    public void An_audit_with_a_firewall_writes_the_reports_of_the_build()
    {
        string firewall = $"--firewall fe01=\"{SharedData.InRepository("captures/lab-fe01.json")}\":nft-json";
        string arguments = $"audit \"{SharedData.InRepository("captures/lab.pcapng")}\" --inventory \"{SharedData.InRepository("captures/lab.yaml")}\" " +
                           $"--catalog \"{SharedData.InRepository("rules")}\" --quiet {firewall} --out";
        string built = Path.Combine(_dir.FullName, "built"), published = Path.Combine(_dir.FullName, "published");

        var fromBuild = CliProcess.Run($"{arguments} \"{built}\"");
        var fromPublished = PublishedToolFactAttribute.Run($"{arguments} \"{published}\"");

        Assert.Equal(1, fromBuild.ExitCode); // the lab firewall blocks a required flow
        Assert.Equal(fromBuild.ExitCode, fromPublished.ExitCode);
        foreach (string file in new[] { "flows.jsonl", "report.json", "report.md", "report.html" })
            Assert.True(File.ReadAllBytes(Path.Combine(built, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(published, file))),
                $"{file} differs between the build and the published tool");
    }

    [PublishedToolFact]
    public void Parquet_files_are_the_builds_uids_apart()
    {
        // Parquet.Net reports AOT and trim warnings of its own when published: what it writes there is checked here.
        string arguments = $"audit \"{SharedData.InRepository("captures/lab.pcapng")}\" --inventory \"{SharedData.InRepository("captures/lab.yaml")}\" " +
                           $"--catalog \"{SharedData.InRepository("rules")}\" --quiet --parquet --out";
        string built = Path.Combine(_dir.FullName, "built"), published = Path.Combine(_dir.FullName, "published");
        Assert.Equal(1, CliProcess.Run($"{arguments} \"{built}\"").ExitCode);
        var fromPublished = PublishedToolFactAttribute.Run($"{arguments} \"{published}\"");
        Assert.True(fromPublished.ExitCode == 1, fromPublished.StandardError);
        // The uids are drawn per run; everything else is the same.
        foreach (var (file, uids) in new[] { ("flows.parquet", "uid"), ("findings.parquet", "flow_uids") })
        {
            string query = $"select * exclude ({uids}) from read_parquet($path)";
            var rows = Report.Records.ParquetReaders.WithDuckDb(Path.Combine(built, file), query);
            Assert.NotEmpty(rows);
            Assert.Equal(rows, Report.Records.ParquetReaders.WithDuckDb(Path.Combine(published, file), query));
        }
    }

    [PublishedToolFact]
    public void A_duckdb_store_written_by_the_published_tool_audits_as_one_the_build_wrote()
    {
        // DuckDB.NET reports AOT and trim warnings of its own when published, and its native library ships beside the
        // executable: a store each tool wrote, audited by the other, gives the same flows.
        string capture = SharedData.InRepository("captures/windows-lab.pcapng"), inventory = SharedData.InRepository("captures/windows-lab.yaml");
        string byBuild = Path.Combine(_dir.FullName, "build.duckdb"), byPublished = Path.Combine(_dir.FullName, "published.duckdb");
        Assert.Equal(0, CliProcess.Run($"flows \"{capture}\" --store \"{byBuild}\" --sensor w").ExitCode);
        var written = PublishedToolFactAttribute.Run($"flows \"{capture}\" --store \"{byPublished}\" --sensor w");
        Assert.True(written.ExitCode == 0, written.StandardError);
        Assert.Contains("store: 237 flows, 237 new", written.StandardError);

        string built = Path.Combine(_dir.FullName, "built"), published = Path.Combine(_dir.FullName, "published");
        var fromBuild = CliProcess.Run($"audit --from-store \"{byPublished}\" --inventory \"{inventory}\" --quiet --out \"{built}\"");
        var fromPublished = PublishedToolFactAttribute.Run($"audit --from-store \"{byBuild}\" --inventory \"{inventory}\" --quiet --out \"{published}\"");

        Assert.True(fromPublished.ExitCode == fromBuild.ExitCode, fromPublished.StandardError);
        var flows = File.ReadAllLines(Path.Combine(built, "flows.jsonl")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(237, flows.Count);
        Assert.Equal(flows, File.ReadAllLines(Path.Combine(published, "flows.jsonl")).Order(StringComparer.Ordinal));
    }

    [PublishedToolFact]
    public void Plot_pictures_are_drawn_with_the_native_libraries_beside_the_executable()
    {
        string plots = Path.Combine(_dir.FullName, "plots");
        var fromPublished = PublishedToolFactAttribute.Run($"audit \"{SharedData.InRepository("captures/lab.pcapng")}\" " +
            $"--inventory \"{SharedData.InRepository("captures/lab.yaml")}\" --catalog \"{SharedData.InRepository("rules")}\" --quiet " +
            $"--out \"{Path.Combine(_dir.FullName, "out")}\" --plots \"{plots}\"");

        Assert.True(fromPublished.ExitCode == 1, fromPublished.StandardError);
        var pngs = Directory.GetFiles(plots, "*.png");
        Assert.Contains(pngs, f => Path.GetFileName(f) == "plot--role-matrix.png");
        Assert.All(pngs, Report.Plot.PngHeader.AssertReadable);
        Assert.Equal(pngs.Length, Directory.GetFiles(plots, "*.svg").Length);
        Assert.DoesNotContain("font", fromPublished.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [PublishedToolFact]
    public void Commands_that_write_json_and_drafts_print_what_the_build_prints()
    {
        string catalog = $"--catalog \"{SharedData.InRepository("rules")}\"";
        string windowsLab = $"\"{SharedData.InRepository("captures/windows-lab.pcapng")}\"";
        string[] commands =
        [
            $"catalog {catalog} --format json",
            $"suggest-roles {windowsLab} {catalog} --format json",
            $"suggest-roles {windowsLab} {catalog} --draft-inventory - --merge \"{SharedData.InRepository("captures/windows-lab.yaml")}\"",
            $"policy emit {catalog} --inventory \"{SharedData.InRepository("captures/lab.yaml")}\" --format nftables",
            $"flows {windowsLab} --format csv",
        ];
        foreach (string command in commands)
        {
            var fromBuild = CliProcess.Run(command);
            var fromPublished = PublishedToolFactAttribute.Run(command);
            Assert.True(fromBuild.ExitCode == 0, $"{command}: {fromBuild.StandardError}");
            Assert.True(fromPublished.ExitCode == 0, $"published {command}: {fromPublished.StandardError}");
            Assert.True(fromBuild.StandardOutput.Length > 0, command);
            Assert.True(fromBuild.StandardOutput == fromPublished.StandardOutput, $"{command}: output differs between the build and the published tool");
        }
    }

    [PublishedToolFact]
    public void The_published_tool_learns_with_its_companion_and_judges_as_the_build_does()
    {
        const long Monday = 1_795_420_800;
        string Write(string name, byte[] bytes)
        {
            string path = Path.Combine(_dir.FullName, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }
        string normal = Write("normal.pcap", Scenarios.AnomalySite.NormalPeriod(Monday, 1, seed: 1));
        string capture = Write("audit.pcap", Scenarios.AnomalySite.AuditPeriod(Monday + 4 * 3600, seed: 2));
        string inventory = Write("site.yaml", System.Text.Encoding.UTF8.GetBytes(Scenarios.AnomalySite.Inventory));
        string catalog = $"--catalog \"{SharedData.InRepository("rules")}\"";
        string model = Path.Combine(_dir.FullName, "model.json");

        var learned = PublishedToolFactAttribute.Run($"learn \"{normal}\" --inventory \"{inventory}\" {catalog} --model \"{model}\" --quiet");
        Assert.True(learned.ExitCode == 0, learned.StandardError);
        string arguments = $"audit \"{capture}\" --inventory \"{inventory}\" {catalog} --model \"{model}\" --fail-on none --quiet --out";
        string built = Path.Combine(_dir.FullName, "built"), published = Path.Combine(_dir.FullName, "published");
        var fromBuild = CliProcess.Run($"{arguments} \"{built}\"");
        var fromPublished = PublishedToolFactAttribute.Run($"{arguments} \"{published}\"");

        Assert.True(fromBuild.ExitCode == 0, fromBuild.StandardError);
        Assert.True(fromPublished.ExitCode == 0, fromPublished.StandardError);
        string report = File.ReadAllText(Path.Combine(published, "report.json"));
        Assert.Contains("\"kind\": \"anomalous\"", report);
        Assert.Equal(File.ReadAllText(Path.Combine(built, "report.json")).Replace(built, published), report);
    }
}

/// <summary>
/// A fact about out/portaudit/portaudit. Skipped, with the reason, when it is absent or was published from another
/// version than the build under test (compared by <c>--version</c>, which carries the commit): comparing a stale binary
/// would report old differences, not the code's.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PublishedToolFactAttribute : FactAttribute
{
    /// <summary>The published executable.</summary>
    public static string Executable => SharedData.InRepository("out/portaudit/portaudit");

    /// <summary>Checks the published tool once per attribute.</summary>
    public PublishedToolFactAttribute()
    {
        if (!File.Exists(Executable))
        {
            Skip = "out/portaudit/portaudit not found: run tools/publish.sh";
            return;
        }
        string built = FileVersionInfo.GetVersionInfo(Path.Combine(AppContext.BaseDirectory, "portaudit.dll")).ProductVersion ?? "";
        string published = Run("--version").StandardOutput.Trim();
        if (published != built)
            Skip = $"out/portaudit/portaudit is version {published}, the build {built}: run tools/publish.sh";
    }

    /// <summary>Runs the published tool with an empty standard input.</summary>
    internal static ExternalProgram.Result Run(string arguments)
    {
        var start = new ProcessStartInfo(Executable, arguments) { WorkingDirectory = AppContext.BaseDirectory };
        return ExternalProgram.Run(start, TimeSpan.FromSeconds(60), []);
    }
}
