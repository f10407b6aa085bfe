using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Lab;

/// <summary>The live audit's options fail before any interface is opened, so these need neither root nor libpcap.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class LiveAuditOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("portaudit-liveaudit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void BadInventoryStopsWithExitTwoBeforeCapturingAndCreatesNoReports()
    {
        string inventory = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(inventory, "hosts:\n  - name: fe01\n    addresses: [10.0.1.x]\n    roles: [lync-front-end]\n");
        string reports = Path.Combine(_dir, "reports");
        // An interface that does not exist: reaching it would fail with a different message.
        var result = CliProcess.Run(
            $"capture -i pa-no-such-if --inventory \"{inventory}\" --out \"{reports}\" --catalog \"{SharedData.InRepository("rules")}\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("10.0.1.x", result.StandardError);
        Assert.DoesNotContain("no such interface", result.StandardError);
        Assert.False(Directory.Exists(reports));
    }

    [Fact]
    public void UnknownFailOnKindIsRefused()
    {
        var result = CliProcess.Run(
            $"capture -i pa-no-such-if --inventory \"{SharedData.InRepository("captures/lab.yaml")}\" --fail-on sometimes --out \"{_dir}/r\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--fail-on: unknown kind 'sometimes'", result.StandardError);
    }
}
