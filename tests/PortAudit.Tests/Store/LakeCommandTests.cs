using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Store;

/// <summary><c>flows --store DIR/</c> as a user runs it: the lake is the output, a run adds files, and says what it wrote.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class LakeCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-lake-cli");

    [Fact]
    public void Flows_to_a_directory_with_a_trailing_slash_write_the_sensors_partition_and_a_second_run_adds_its_flows_again()
    {
        string lake = Path.Combine(_dir.FullName, "lake") + "/", capture = SharedData.InRepository("captures/lab.pcapng");
        var first = CliProcess.Run($"flows \"{capture}\" --store \"{lake}\" --sensor \"dmz edge\"");
        var second = CliProcess.Run($"flows \"{capture}\" --store \"{lake}\" --sensor \"dmz edge\"");

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Empty(first.StandardOutput); // the lake is the output
        Assert.Contains($"lake {lake}: 16 flows in 1 new file under {lake}sensor=dmz%20edge", first.StandardError);
        var files = Directory.GetFiles(lake, "*", SearchOption.AllDirectories);
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.Matches(@"/sensor=dmz%20edge/day=2026-11-21/part-[^/]+\.parquet$", f));
    }

    [FullDiskFact]
    public void A_lake_on_a_full_disk_fails_the_run_counting_the_flows_in_no_file_and_leaves_no_half_file()
    {
        using var disk = FullDisk.Create(Path.Combine(_dir.FullName, "disk"));
        string lake = Path.Combine(disk.Directory, "lake") + "/";
        Directory.CreateDirectory(Path.Combine(lake, "sensor=edge", "day=2026-11-21"));
        disk.Fill();
        var result = CliProcess.Run($"flows \"{SharedData.InRepository("captures/lab.pcapng")}\" --store \"{lake}\" --sensor edge");

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Contains("No space left on device", result.StandardError);
        Assert.Contains("; 16 flows of this run are in no complete file", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
        Assert.Empty(Directory.GetFiles(lake, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_lake_is_shown_by_store_status_audited_as_its_capture_and_takes_no_spool()
    {
        string lake = Path.Combine(_dir.FullName, "lake") + "/", capture = SharedData.InRepository("captures/lab.pcapng"), inventory = SharedData.InRepository("captures/lab.yaml");
        var spool = CliProcess.Run($"flows \"{capture}\" --store \"{lake}\" --spool \"{_dir.FullName}/x.spool\"");
        var stored = CliProcess.Run($"flows \"{capture}\" --store \"{lake}\" --sensor edge");
        var status = CliProcess.Run($"store status --store \"{lake}\"");
        var audit = CliProcess.Run($"audit --from-store \"{lake}\" --sensor edge --inventory \"{inventory}\" --out \"{_dir.FullName}/out\"");
        var fromFile = CliProcess.Run($"audit \"{capture}\" --inventory \"{inventory}\" --out \"{_dir.FullName}/file-out\"");
        var outside = CliProcess.Run($"audit --from-store \"{lake}\" --since 2027-01-01 --inventory \"{inventory}\" --out \"{_dir.FullName}/none\"");

        Assert.Equal(2, spool.ExitCode);
        Assert.Contains("which needs no spool", spool.StandardError);
        Assert.Equal(0, stored.ExitCode);
        Assert.Contains("sensor     edge: 16 flows", status.StandardOutput);
        Assert.Contains("partitions 1 (days)", status.StandardOutput);
        Assert.Equal(fromFile.ExitCode, audit.ExitCode);
        Assert.Equal(DuckDbStoreCommandTests.Findings($"{_dir.FullName}/file-out"), DuckDbStoreCommandTests.Findings($"{_dir.FullName}/out"));
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("no flows of the given sensors in the given window", outside.StandardError);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
