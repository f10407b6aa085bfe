using System.Text.RegularExpressions;
using PortAudit.Fuzz;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Fuzz;

/// <summary>
/// CI's sample of the coverage-guided tier (tools/fuzz/afl.sh, docs/fuzz.md): every reader's harness takes its seeds,
/// and two readers, a binary one and a text one, run briefly under afl-fuzz with PortAudit.Core.dll instrumented:
/// the fork server must start, afl must see coverage, and nothing may crash or hang.
/// </summary>
[Trait(Tier.Name, Tier.Fuzz)]
public partial class CoverageGuidedTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [SharedDataFact("flowdata")]
    public void EveryReaderHasSeedsItReadsWithoutComplaint()
    {
        // A reader without seeds would start afl from nothing, one that crashes on a seed would stop afl's dry run, and
        // one that refuses all its seeds would have afl mutate inputs that never reach past the first check.
        string repo = SharedData.InRepository("");
        foreach (string name in ReaderTargets.Names)
        {
            var target = ReaderTargets.Create(name, repo);
            Assert.True(target.Seeds.Count > 0, $"{name}: no seeds");
            var verdicts = target.Seeds.Select(seed => AflCommand.Once(target, seed, seed.Bytes, _dir.Root)).ToList();
            Assert.True(verdicts.Contains(FuzzVerdict.Accepted), $"{name}: every seed refused");
        }
    }

    [AflFact]
    public void ABriefAflRunOfTwoReadersSeesCoverageAndFindsNothing()
    {
        // The first run instruments a copy of the harness's Release build (building it only when CI's build did not),
        // the second reuses that copy.
        bool built = File.Exists(SharedData.InRepository("tools/fuzz/bin/Release/net10.0/portaudit-fuzz.dll"));
        string[] readers = ["netflow9", "zeek-json"];
        for (int i = 0; i < readers.Length; i++)
        {
            var arguments = new List<string> { readers[i], "--execs", "2000", "--seconds", "15", "--work", _dir.Root };
            if (i > 0 || built) arguments.Add("--no-build");
            var result = ExternalProgram.Run(ExternalProgram.Start(SharedData.InRepository("tools/fuzz/afl.sh"), arguments), TimeSpan.FromMinutes(3));
            Assert.True(result.ExitCode == 0, $"afl.sh {readers[i]}: exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
            var figures = Figures().Match(result.StandardOutput);
            Assert.True(figures.Success, result.StandardOutput);
            Assert.True(long.Parse(figures.Groups["execs"].Value) > 100, result.StandardOutput);
            Assert.True(long.Parse(figures.Groups["edges"].Value) > 50, result.StandardOutput);
            Assert.Equal(("0", "0"), (figures.Groups["crashes"].Value, figures.Groups["hangs"].Value));
        }
    }

    [GeneratedRegex(@"execs (?<execs>\d+)\tedges (?<edges>\d+)\tcrashes (?<crashes>\d+)\thangs (?<hangs>\d+)")]
    private static partial Regex Figures();
}

/// <summary>A fact that needs afl-fuzz, the sharpfuzz tool (.config/dotnet-tools.json) and ../shared/flowdata; skipped with the reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AflFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when something the coverage-guided tier needs is missing.</summary>
    public AflFactAttribute()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string tool = Path.Combine(packages, "sharpfuzz.commandline", "2.3.0");
        if (!OnPath("afl-fuzz")) Skip = "afl-fuzz not installed (apt-get install afl++; tools/setup.sh installs it)";
        else if (!Directory.Exists(tool)) Skip = "the sharpfuzz tool is not restored (dotnet tool restore; tools/setup.sh runs it)";
        else if (!SharedData.Exists("flowdata")) Skip = "../shared/flowdata not found";
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, program)));
}
