using System.Text.Json;
using PortAudit.Tests.Catalog;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Audit;

/// <summary>The global Serilog options on a real command: level, file and the JSON format for machines.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class LogOptionsTests : IDisposable
{
    private readonly TempCatalog _catalog = new(TempCatalog.ValidRules);

    public void Dispose() => _catalog.Dispose();

    private string LogFile => Path.Combine(_catalog.Root, "audit.log");

    private ExternalProgram.Result Audit(string logOptions)
    {
        string inventory = Path.Combine(_catalog.Root, "inventory.yaml");
        File.WriteAllText(inventory, "hosts:\n  - name: srv\n    addresses: [10.0.0.2]\n    roles: [server]\nfeatures: []\n");
        string capture = Path.Combine(_catalog.Root, "empty.pcap");
        File.WriteAllBytes(capture, new Builders.PcapBuilder().Build());
        return CliProcess.Run($"audit \"{capture}\" --inventory \"{inventory}\" --catalog \"{_catalog.Dir}\" " +
                              $"--out \"{Path.Combine(_catalog.Root, "out")}\" --quiet {logOptions}");
    }

    [Fact]
    public void Json_format_writes_one_json_object_per_line_to_the_log_file()
    {
        var result = Audit($"--log-level Information --log-format json --log-file \"{LogFile}\"");

        // 0: an empty capture saw neither end of the catalog's required rule for srv, so nothing can be missing.
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        var lines = File.ReadAllLines(LogFile);
        Assert.NotEmpty(lines);
        var events = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, e => Assert.Equal("Information", e.GetProperty("Level").GetString()));
        Assert.Contains(events, e => e.GetProperty("RenderedMessage").GetString()!.StartsWith("0 packets", StringComparison.Ordinal));
        // The same events reach stderr as JSON too.
        Assert.StartsWith("{", result.StandardError.TrimStart());
    }

    [Fact]
    public void The_level_filters_what_the_log_file_receives()
    {
        Audit($"--log-level Warning --log-file \"{LogFile}\"");

        Assert.DoesNotContain("packets", File.ReadAllText(LogFile));
    }
}
