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
    public void A_spool_is_refused_for_a_lake()
    {
        var result = CliProcess.Run($"flows x.pcap --store \"{_dir.FullName}/\" --spool s.spool");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--spool is for a database store", result.StandardError);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
