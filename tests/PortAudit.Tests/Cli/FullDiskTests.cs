using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Cli;

/// <summary>
/// Every file output on a full disk (issue 43: "--log-file or flows -o / policy emit -o on a full disk: crash (exit 1), or
/// the previous file half overwritten"): exit 2 with one line naming the file and the system's "No space left on device",
/// the previous file whole, and no temporary left beside it.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class FullDiskTests : IDisposable
{
    private const string NoSpace = "No space left on device";
    private readonly ScratchDirectory _dir = new("portaudit-full");

    public void Dispose() => _dir.Dispose();

    private FullDisk Disk() => FullDisk.Create(Path.Combine(_dir.FullName, "disk"));

    private static void AssertOneLineNaming(ExternalProgram.Result result, string file)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Contains($"{file}: cannot write: {NoSpace}", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    // The output named by run (given its path) on a full disk: refused naming it, the previous file whole, nothing beside it.
    private void AssertTheFullDiskKeepsThePreviousFile(string name, Func<string, ExternalProgram.Result> run)
    {
        using var disk = Disk();
        string output = disk.WritePaged(name, "the previous output\n");
        string previous = File.ReadAllText(output);
        disk.Fill();

        var result = run(output);

        AssertOneLineNaming(result, output);
        Assert.Equal(previous, File.ReadAllText(output));
        Assert.Equal(["fill", name], disk.Files());
    }

    [FullDiskFact]
    public void Flow_records_to_a_full_disk_leave_the_previous_file_whole()
    {
        var big = new PcapBuilder();
        for (int i = 0; i < 2000; i++) big.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp((ushort)(10000 + i), 53))), i);
        string capture = _dir.Write("big.pcap", big.Build());

        AssertTheFullDiskKeepsThePreviousFile("out.jsonl", output => CliProcess.Run($"flows \"{capture}\" --output \"{output}\""));
    }

    [FullDiskFact]
    public void A_spool_on_a_full_disk_with_the_store_down_ends_with_exit_two_counting_the_flows_lost()
    {
        // Nothing listens on port 1: the store is down for the whole run and every batch goes to the spool, whose disk is
        // full. The spool is written on the writer's own thread: its failure must reach the command, not end the process.
        var big = new PcapBuilder();
        for (int i = 0; i < 2000; i++) big.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp((ushort)(10000 + i), 53))), i);
        string capture = _dir.Write("big.pcap", big.Build());
        using var disk = Disk();
        disk.Fill();
        string spool = Path.Combine(disk.Directory, "edge.spool");

        var result = CliProcess.Run($"flows \"{capture}\" --store postgresql://portaudit@127.0.0.1:1/flows --sensor edge --spool \"{spool}\" --store-wait 0");

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Contains($"{spool}: cannot write the spool: {NoSpace}", result.StandardError);
        Assert.Contains("2000 flows of this run were neither stored nor kept", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [FullDiskFact]
    public void Emitted_rules_to_a_full_disk_leave_the_previous_file_whole() =>
        AssertTheFullDiskKeepsThePreviousFile("rules.nft", output => CliProcess.Run($"policy emit --inventory captures/lab.yaml --format nftables -o \"{output}\"",
            workingDirectory: SharedData.InRepository(".")));

    [FullDiskFact]
    public void A_log_file_on_a_full_disk_ends_the_run_with_exit_two_and_keeps_what_it_held()
    {
        string capture = _dir.Write("a.pcap", ScratchDirectory.TwoFlows);
        using var disk = Disk();
        string log = disk.WritePaged("run.log", "an earlier run's log\n");
        string previous = File.ReadAllText(log);
        disk.Fill();

        var result = CliProcess.Run($"flows \"{capture}\" --log-level Information --log-file \"{log}\"");

        AssertOneLineNaming(result, $"--log-file {log}");
        // The log is appended to (LogFileSink): what it held stays, and nothing else was made beside it.
        Assert.StartsWith(previous, File.ReadAllText(log));
        Assert.Equal(["fill", "run.log"], disk.Files());
        // The flows themselves went to standard output whole.
        Assert.Equal(2, result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [FullDiskFact]
    public void An_audit_on_a_full_disk_leaves_the_previous_reports_whole()
    {
        using var disk = Disk();
        string report = disk.WritePaged("report.json", "{\"previous\": true}\n");
        string previous = File.ReadAllText(report);
        disk.Fill();

        var result = CliProcess.Run($"audit captures/lab.pcapng --inventory captures/lab.yaml --out \"{disk.Directory}\"",
            workingDirectory: SharedData.InRepository("."));

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Contains(NoSpace, result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
        Assert.Equal(previous, File.ReadAllText(report));
        Assert.Equal(["fill", "report.json"], disk.Files());
    }
}
