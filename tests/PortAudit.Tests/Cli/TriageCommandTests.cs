using System.Text.Json;
using PortAudit.Tests.Audit;
using PortAudit.Tests.Catalog;

namespace PortAudit.Tests.Cli;

/// <summary><c>audit --baseline/--suppress</c> and <c>portaudit diff</c> run as processes: what they print and their exit codes.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class TriageCommandTests : IDisposable
{
    private readonly TempCatalog _catalog = new(AuditCommandTests.Rules);

    public void Dispose() => _catalog.Dispose();

    private string PathOf(string name) => Path.Combine(_catalog.Root, name);

    private string Write(string name, string text)
    {
        File.WriteAllText(PathOf(name), text);
        return PathOf(name);
    }

    /// <summary>Audits ws → srv on <paramref name="ports"/> (135 is allowed, anything else unexpected) into DIR/report.json.</summary>
    private (ExternalProgram.Result Result, string Report) Audit(string outDir, ushort[] ports, string extra = "")
    {
        string capture = AuditCommandTests.WriteCapture(_catalog.Root, ports);
        var result = CliProcess.Run($"audit \"{capture}\" --inventory \"{Write("inventory.yaml", AuditCommandTests.Inventory)}\" " +
                                    $"--catalog \"{_catalog.Dir}\" --out \"{PathOf(outDir)}\" {extra}");
        return (result, Path.Combine(PathOf(outDir), "report.json"));
    }

    [Fact]
    public void BaselineLeavesKnownFindingsOutOfTheExitCode()
    {
        var (first, baseline) = Audit("a", [135, 22]);
        Assert.Equal(1, first.ExitCode);

        var (same, _) = Audit("b", [135, 22], $"--baseline \"{baseline}\"");
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("baseline: 0 new, 1 unchanged, 0 resolved", same.StandardOutput);

        var (changed, report) = Audit("c", [135, 23], $"--baseline \"{baseline}\"");
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains("baseline: 1 new, 0 unchanged, 1 resolved", changed.StandardOutput);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray().ToList());
        Assert.Equal(("23", "new"), (finding.GetProperty("ports").GetString(), finding.GetProperty("status").GetString()));
        Assert.Equal("22", Assert.Single(json.RootElement.GetProperty("resolved").EnumerateArray().ToList()).GetProperty("ports").GetString());
    }

    [Fact]
    public void SuppressedFindingDoesNotFailAndExpiredEntryIsWarnedAbout()
    {
        string suppressions = Write("suppress.yaml", """
            suppressions:
              - client: ws
                server: role:server
                port: 22
                justification: admin access from the jump host
                owner: netops
                expires: 2099-12-31
              - rule: demo-epm
                justification: until the 2024 migration
                owner: alice
                expires: 2024-06-30
            """);

        var (result, _) = Audit("out", [135, 22], $"--suppress \"{suppressions}\"");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("suppressions: 1 findings suppressed by 2 entries, 1 expired", result.StandardOutput);
        Assert.Contains($"Suppression {suppressions}:8:5 expired on 2024-06-30", result.StandardError);
        string markdown = File.ReadAllText(Path.Combine(PathOf("out"), "report.md"));
        Assert.Contains("suppressed by netops until 2099-12-31", markdown);
        Assert.Contains("| 2024-06-30 | alice | rule=demo-epm |", markdown);
        Assert.Contains("[suppressed]", File.ReadAllText(Path.Combine(PathOf("out"), "report.html")));
    }

    [Fact]
    public void BadSuppressionFileExitsTwoBeforeReading()
    {
        string suppressions = Write("suppress.yaml", "suppressions:\n  - port: 22\n    owner: netops\n    expires: 2099-01-01\n");

        var (result, report) = Audit("out", [135, 22], $"--suppress \"{suppressions}\"");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{suppressions}:2:5: missing field 'justification'", result.StandardError);
        Assert.False(File.Exists(report));
    }

    [Fact]
    public void DiffListsChangesAndFailsOnNewFindingsOfTheFailOnKinds()
    {
        var (_, before) = Audit("a", [135, 22]);
        var (_, after) = Audit("b", [135, 23, 22]);

        var table = CliProcess.Run($"diff \"{before}\" \"{after}\"");
        Assert.Equal(1, table.ExitCode);
        var lines = table.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"diff: {before} -> {after}: 1 new, 0 resolved, 1 unchanged", lines[0]);
        Assert.StartsWith("status", lines[1]);
        Assert.Matches(@"^new\s+[0-9a-f]{16}\s+medium\s+unexpected\s+ws\s+srv\s+23/tcp\s+-\s+1$", lines[2]);
        Assert.Matches(@"^unchanged\s+[0-9a-f]{16}\s+medium\s+unexpected\s+ws\s+srv\s+22/tcp", lines[3]);

        Assert.Equal(0, CliProcess.Run($"diff \"{before}\" \"{after}\" --fail-on missing").ExitCode);

        var json = CliProcess.Run($"diff \"{after}\" \"{before}\" --format json");
        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal("23", Assert.Single(document.RootElement.GetProperty("resolved").EnumerateArray().ToList()).GetProperty("ports").GetString());
        Assert.Empty(document.RootElement.GetProperty("new").EnumerateArray());
    }

    [Fact]
    public void MalformedReportExitsTwoNamingFileAndOffset()
    {
        var (_, good) = Audit("a", [135, 22]);
        string bad = Write("bad.json", "{\"findings\": [}");

        var diff = CliProcess.Run($"diff \"{bad}\" \"{good}\"");
        Assert.Equal(2, diff.ExitCode);
        Assert.Contains($"{bad}: byte 14 (line 1): not valid JSON", diff.StandardError);

        var (audit, _) = Audit("b", [135, 22], $"--baseline \"{bad}\"");
        Assert.Equal(2, audit.ExitCode);
        Assert.Contains($"{bad}: byte 14", audit.StandardError);
    }
}
