using System.Text.RegularExpressions;

namespace PortAudit.Tests.Cli;

/// <summary>
/// The dotnet tool package: packed from the built CLI, installed from a clean directory as a user would, and run.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class ToolPackageTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-tool");

    private ExternalProgram.Result Dotnet(string workingDirectory, params string[] arguments)
    {
        var start = ExternalProgram.Start("dotnet", arguments);
        start.WorkingDirectory = workingDirectory;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return ExternalProgram.Run(start, TimeSpan.FromMinutes(3));
    }

    [Fact]
    public void PackedToolInstallsFromADirectoryAndRuns()
    {
        string packages = Path.Combine(_dir.FullName, "packages"), clean = Path.Combine(_dir.FullName, "clean"), tools = Path.Combine(_dir.FullName, "tools");
        Directory.CreateDirectory(clean);
        // The build the tests run on (Release, as the README's test command builds it), packed as it is.
        var pack = Dotnet(_dir.FullName, "pack", SharedData.InRepository("src/PortAudit.Cli"), "-c", "Release", "--no-build", "-o", packages);
        Assert.True(pack.ExitCode == 0, pack.StandardOutput + pack.StandardError);
        string package = Assert.Single(Directory.GetFiles(packages, "portaudit.*.nupkg"));
        string version = Regex.Match(Path.GetFileName(package), @"^portaudit\.(.+)\.nupkg$").Groups[1].Value;

        // The package carries everything it needs: a feed list of only the package directory keeps the install offline.
        File.WriteAllText(Path.Combine(clean, "nuget.config"),
            "<configuration><packageSources><clear /></packageSources></configuration>");
        var install = Dotnet(clean, "tool", "install", "--tool-path", tools, "--add-source", packages, "portaudit");
        Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);

        var run = ExternalProgram.Run(ExternalProgram.Start(Path.Combine(tools, "portaudit"), ["--version"]), TimeSpan.FromMinutes(1));
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith(version, run.StandardOutput.Trim());
        // One version everywhere: the package's, --version's and the one report.json's provenance names.
        Assert.Equal(PortAudit.Report.Digests.ToolVersion, run.StandardOutput.Trim());

        // The catalog travels in the package: found beside the installed program, from a directory without one.
        var check = ExternalProgram.Start(Path.Combine(tools, "portaudit"), ["catalog", "--check"]);
        check.WorkingDirectory = clean;
        var catalog = ExternalProgram.Run(check, TimeSpan.FromMinutes(1));
        Assert.Equal(0, catalog.ExitCode);
        Assert.Contains(": OK, ", catalog.StandardOutput);

        // The learning companion travels too: the installed tool learns a model (docs/anomaly.md).
        string normal = Path.Combine(_dir.FullName, "normal.pcap"), inventory = Path.Combine(_dir.FullName, "site.yaml");
        File.WriteAllBytes(normal, Scenarios.AnomalySite.NormalPeriod(1_795_420_800, 1, seed: 1));
        File.WriteAllText(inventory, Scenarios.AnomalySite.Inventory);
        string model = Path.Combine(_dir.FullName, "model.json");
        var learn = ExternalProgram.Run(ExternalProgram.Start(Path.Combine(tools, "portaudit"),
            ["learn", normal, "--inventory", inventory, "--model", model, "--quiet"]), TimeSpan.FromMinutes(3));
        Assert.True(learn.ExitCode == 0, learn.StandardError);
        Assert.Contains("\"groups\"", File.ReadAllText(model));
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
