using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Tests.Cli;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Audit.Drafting;

/// <summary><c>suggest-roles --draft-inventory</c> and <c>--merge</c> run as a process, their YAML read back by the inventory loader.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class DraftInventoryCommandTests : IDisposable
{
    private static readonly string Lab = SharedData.InRepository("captures/lab.pcapng");
    private static readonly string Rules = SharedData.InRepository("rules");
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("portaudit-draft-cli");

    [Fact]
    public void DraftInventoryWritesYamlTheInventoryLoaderAccepts()
    {
        string draft = Path.Combine(_directory.FullName, "draft.yaml");

        var result = CliProcess.Run($"suggest-roles \"{Lab}\" --catalog \"{Rules}\" --draft-inventory \"{draft}\"");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"{draft}: 4 drafted entries", result.StandardOutput);
        var inventory = InventoryLoader.Load(draft, ScenarioAudit.RepositoryCatalog);
        // Every host of the lab's own inventory is drafted, each at its address and with a role set.
        Assert.Equal(["10.77.0.10", "10.77.0.100", "10.77.0.20", "10.77.0.30"],
            inventory.Hosts.SelectMany(h => h.Prefixes).Select(p => p.ToString()).Order(StringComparer.Ordinal));
        Assert.All(inventory.Hosts, h => Assert.NotEmpty(h.Roles));
    }

    [Fact]
    public void MergeAddsOnlyTheHostsTheInventoryLacks()
    {
        string existing = Path.Combine(_directory.FullName, "partial.yaml");
        File.WriteAllText(existing, """
            hosts:
              - name: dc01
                addresses: [10.77.0.30]
                roles: [domain-controller]
              - name: client01
                addresses: [10.77.0.100]
                roles: [workstation]
            """);

        var result = CliProcess.Run($"suggest-roles \"{Lab}\" --catalog \"{Rules}\" --merge \"{existing}\" --draft-inventory -");

        Assert.Equal(0, result.ExitCode);
        string merged = Path.Combine(_directory.FullName, "merged.yaml");
        File.WriteAllText(merged, result.StandardOutput);
        var inventory = InventoryLoader.Load(merged, ScenarioAudit.RepositoryCatalog);
        // The inventory's own entries first and unchanged, then the two lab hosts it lacks, under names it does not use.
        Assert.Equal([("dc01", "10.77.0.30", "domain-controller"), ("client01", "10.77.0.100", "workstation")],
            inventory.Hosts.Take(2).Select(h => (h.Name, h.Prefixes.Single().ToString(), string.Join(",", h.Roles))));
        Assert.Equal(["10.77.0.10", "10.77.0.20"], inventory.Hosts.Skip(2).SelectMany(h => h.Prefixes).Select(p => p.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(inventory.Hosts.Count, inventory.Hosts.Select(h => h.Name).Distinct().Count());
    }

    [Fact]
    public void MergeWithoutDraftIsRefused()
    {
        var result = CliProcess.Run($"suggest-roles \"{Lab}\" --catalog \"{Rules}\" --merge \"{Lab}\"");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--merge needs --draft-inventory", result.StandardError);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
