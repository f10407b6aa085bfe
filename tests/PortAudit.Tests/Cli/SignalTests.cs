using System.Diagnostics;
using PortAudit.Tests.Policy;

namespace PortAudit.Tests.Cli;

/// <summary>
/// SIGTERM ends a command within a second (issue 43): an audit with a 100,000-rule firewall spends seconds judging its
/// flows, analysing the rules and writing reports after the capture is read, and did not stop until it was done.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class SignalTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-signal");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sigterm_during_the_policy_analysis_of_a_big_ruleset_ends_the_audit_within_a_second()
    {
        string ruleset = _dir.Write("r100k.nft", System.Text.Encoding.UTF8.GetBytes(BigRuleset.Nft(100_000, 43, dense: false)));
        string outDir = Path.Combine(_dir.FullName, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "report.json"), "the previous report\n");
        var start = ExternalProgram.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "portaudit.dll"), "audit", "captures/lab.pcapng",
            "--inventory", "captures/lab.yaml", "--firewall", ruleset, "--out", outDir, "--quiet"]);
        start.WorkingDirectory = SharedData.InRepository(".");
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();

        // flows.jsonl's temporary appears as the audit opens its outputs, once the ruleset is read; what follows the
        // capture's short read is judging flows against the rules, analysing the rules and writing the reports (seconds).
        var waited = Stopwatch.StartNew();
        while (!Directory.EnumerateFiles(outDir, "*.partial").Any() && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(20);
        Assert.False(process.HasExited, "the audit ended before it could be signalled");
        await Task.Delay(300);
        Assert.False(process.HasExited, "the audit ended before it could be signalled");
        var stopping = Stopwatch.StartNew();
        Assert.Equal(0, ExternalProgram.Run(ExternalProgram.Start("kill", ["-TERM", process.Id.ToString()]), TimeSpan.FromSeconds(10)).ExitCode);
        bool ended = process.WaitForExit(TimeSpan.FromSeconds(30));
        stopping.Stop();
        if (!ended) process.Kill(entireProcessTree: true);
        string error = await stderr;

        Assert.True(ended && stopping.Elapsed < TimeSpan.FromSeconds(1), $"ended {ended} after {stopping.Elapsed.TotalSeconds:F2} s: {error}");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted", error);
        Assert.Equal("the previous report\n", File.ReadAllText(Path.Combine(outDir, "report.json")));
        Assert.Equal(["report.json"], Directory.GetFiles(outDir).Select(Path.GetFileName));
    }
}
