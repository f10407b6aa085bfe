using System.Diagnostics;
using System.Text.Json;
using PortAudit.Tests.Cli;
using Xunit.Abstractions;

namespace PortAudit.Tests.Policy;

/// <summary>
/// An audit of the lab capture with a firewall of a real firewall's size (issue 43): 20,000 generated nftables rules took
/// 20–48 s when each rule was compared with every earlier one for shadowing, 100,000 over ten minutes; with
/// <see cref="PortAudit.Policy.ShadowIndex"/> they take about 2.5 s and 7 s (docs/performance.md, "Firewall policies").
/// The bounds are generous, for a loaded machine; they fail on the quadratic analysis.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class FirewallScaleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("portaudit-scale-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(20_000, 15)]
    [InlineData(100_000, 60)]
    public void An_audit_with_a_big_ruleset_finishes_in_time(int rules, int seconds)
    {
        string ruleset = Path.Combine(_dir, $"r{rules}.nft");
        File.WriteAllText(ruleset, BigRuleset.Nft(rules, 43, dense: false));
        string outDir = Path.Combine(_dir, "out");

        var clock = Stopwatch.StartNew();
        var result = CliProcess.Run($"audit captures/lab.pcapng --inventory captures/lab.yaml --firewall \"{ruleset}\" --out \"{outDir}\"",
            workingDirectory: SharedData.InRepository("."));
        clock.Stop();

        output.WriteLine($"{rules} rules: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.ExitCode is 0 or 1, result.StandardError);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        var firewall = report.RootElement.GetProperty("firewalls")[0];
        Assert.Equal(rules, firewall.GetProperty("rules").GetArrayLength());
        Assert.Contains(firewall.GetProperty("rules").EnumerateArray(), r => r.TryGetProperty("shadowedBy", out var by) && by.ValueKind == JsonValueKind.String);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, seconds);
    }
}
