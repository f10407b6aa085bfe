using System.Diagnostics;
using PortAudit.Tests.Policy;

namespace PortAudit.Tests.Cli;

/// <summary>
/// SIGTERM ends a command within a second (issue 43): an audit with a 100,000-rule firewall spends seconds judging its
/// flows, analysing the rules and writing reports after the capture is read, and did not stop until it was done. However
/// it ends, the previous reports stay whole and no temporary is left.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class SignalTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-signal");

    public void Dispose() => _dir.Dispose();

    private string OutDir => Path.Combine(_dir.FullName, "out");

    // Starts the audit of the lab capture with a 100,000-rule firewall, over a previous report, and returns once it is past
    // reading: in the seconds of judging, analysis and reports.
    private async Task<(Process Process, Task<string> Stderr)> StartBigAudit()
    {
        string ruleset = _dir.Write("r100k.nft", System.Text.Encoding.UTF8.GetBytes(BigRuleset.Nft(100_000, 43, dense: false)));
        Directory.CreateDirectory(OutDir);
        File.WriteAllText(Path.Combine(OutDir, "report.json"), "the previous report\n");
        var start = ExternalProgram.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "portaudit.dll"), "audit", "captures/lab.pcapng",
            "--inventory", "captures/lab.yaml", "--firewall", ruleset, "--out", OutDir, "--quiet"]);
        start.WorkingDirectory = SharedData.InRepository(".");
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // flows.jsonl's temporary appears as the audit opens its outputs, once the ruleset is read; what follows the
        // capture's short read is judging flows against the rules, analysing the rules and writing the reports (seconds).
        var waited = Stopwatch.StartNew();
        while (!Directory.EnumerateFiles(OutDir, "*.partial").Any() && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(20);
        await Task.Delay(300);
        Assert.False(process.HasExited, "the audit ended before it could be signalled");
        return (process, stderr);
    }

    private static void Terminate(Process process) =>
        Assert.Equal(0, ExternalProgram.Run(ExternalProgram.Start("kill", ["-TERM", process.Id.ToString()]), TimeSpan.FromSeconds(10)).ExitCode);

    private void AssertThePreviousReportAlone()
    {
        Assert.Equal("the previous report\n", File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.Equal(["report.json"], Directory.GetFiles(OutDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Sigterm_during_the_policy_analysis_of_a_big_ruleset_ends_the_audit_within_a_second()
    {
        var (process, stderr) = await StartBigAudit();
        using var _ = process;

        var stopping = Stopwatch.StartNew();
        Terminate(process);
        bool ended = process.WaitForExit(TimeSpan.FromSeconds(30));
        stopping.Stop();
        if (!ended) process.Kill(entireProcessTree: true);
        string error = await stderr;

        Assert.True(ended && stopping.Elapsed < TimeSpan.FromSeconds(1), $"ended {ended} after {stopping.Elapsed.TotalSeconds:F2} s: {error}");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted", error);
        AssertThePreviousReportAlone();
    }

    [Fact]
    public async Task A_second_sigterm_ends_the_audit_at_once_and_still_leaves_no_temporary()
    {
        var (process, stderr) = await StartBigAudit();
        using var _ = process;

        Terminate(process);
        await Task.Delay(50);
        Terminate(process);
        bool ended = process.WaitForExit(TimeSpan.FromSeconds(30));
        if (!ended) process.Kill(entireProcessTree: true);
        await stderr;

        Assert.True(ended);
        Assert.Equal(143, process.ExitCode); // the runtime's: 128 + SIGTERM
        AssertThePreviousReportAlone();
    }
}
