using PortAudit.Inspect;
using PortAudit.Sources.Files;
using PortAudit.Tests.Flows;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Only inspectors that declare a scratch word (<see cref="InspectorDescriptor.UsesScratch"/>) get one; the others are
/// handed a word that must still be zero after their call. Every real capture the project has, read through the
/// built-in inspectors, must leave no undeclared word written.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ScratchDeclarationTests
{
    [SharedDataFact]
    public void NoInspectorKeepsAWordItDidNotDeclareOnAnyCapture()
    {
        var files = EveryCapture();
        long inspected = 0;
        foreach (string file in files)
        {
            var engine = new InspectionEngine();
            var runner = new FlowRunner(null, engine);
            using (var reader = CaptureFile.Open(file)) runner.Reader.ReadPipelined(reader);
            runner.Table.Flush();
            Assert.True(engine.UndeclaredScratchWrites == 0, $"{file}: {engine.UndeclaredScratchWrites} undeclared scratch writes");
            inspected += runner.Flows.Count(f => f.App is not null);
        }
        Assert.True(inspected > 500, $"only {inspected} flows were labelled: the inspectors hardly ran");
    }

    /// <summary>Every real capture the project has: ../shared's captures and captures-extra, and the repository's lab runs.</summary>
    internal static List<string> EveryCapture()
    {
        var files = new[] { SharedData.Path("captures"), SharedData.Path("captures-extra"), SharedData.InRepository("captures") }
            .Where(d => d is not null && Directory.Exists(d))
            .SelectMany(d => Directory.EnumerateFiles(d!, "*", SearchOption.AllDirectories))
            .Where(IsCapture).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 50, $"only {files.Count} captures found");
        return files;
    }

    private static bool IsCapture(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && CaptureFile.IsCaptureMagic(magic);
    }
}
