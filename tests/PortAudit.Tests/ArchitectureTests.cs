using System.Text.RegularExpressions;

namespace PortAudit.Tests;

/// <summary>
/// Keeps the library's one layer order: each top folder of src/PortAudit uses only the folders below it, so that a
/// reader can learn the stages bottom up and a change ripples one way. Read from the sources, where a dependency is
/// written: a file sees its own namespace and its parents', what it imports with <c>using</c>, and what it names
/// qualified (<c>Audit.Verdict</c> inside <c>namespace PortAudit.Flows</c> means PortAudit.Audit).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public partial class ArchitectureTests
{
    /// <summary>Bottom to top; a folder may use itself and those before it.</summary>
    private static readonly string[] Layers =
        ["Common", "Decode", "Flows", "Sources", "Inspect", "Catalog", "Policy", "Audit", "Report", "Pipeline"];

    /// <summary>Calls that tune the process rather than the run: they belong to a program's host, not the library.</summary>
    private static readonly string[] ProcessTuning =
        ["GCSettings.LatencyMode", "TryStartNoGCRegion", "madvise", "MADV_", "sched_setscheduler", "SCHED_FIFO"];

    private static string Library => SharedData.InRepository("src/PortAudit");

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(Library, path)));

    private static bool IsBuildOutput(string relative) =>
        relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) ||
        relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string TopFolder(string path) => Path.GetRelativePath(Library, path).Split(Path.DirectorySeparatorChar)[0];

    [Fact]
    public void EveryFileLivesInALayerFolderUnderItsNamespace()
    {
        var wrong = new List<string>();
        foreach (string file in SourceFiles())
        {
            string folder = TopFolder(file);
            string? ns = Namespace().Match(File.ReadAllText(file)) is { Success: true } m ? m.Groups[1].Value : null;
            if (!Layers.Contains(folder)) wrong.Add($"{Relative(file)}: not in a layer folder ({string.Join(", ", Layers)})");
            else if (ns != $"PortAudit.{folder}" && ns?.StartsWith($"PortAudit.{folder}.", StringComparison.Ordinal) != true)
                wrong.Add($"{Relative(file)}: namespace {ns} is not under PortAudit.{folder}");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void NoFolderUsesOneAboveIt()
    {
        var upward = new List<string>();
        foreach (string file in SourceFiles())
        {
            int own = Array.IndexOf(Layers, TopFolder(file));
            if (own < 0) continue; // reported by the test above
            string code = WithoutCommentsAndText(File.ReadAllText(file));
            foreach (string used in LayersNamed(code))
                if (Array.IndexOf(Layers, used) > own) upward.Add($"{Relative(file)} ({Layers[own]}) uses {used}");
        }

        Assert.True(upward.Count == 0, "a layer uses one above it:\n" + string.Join("\n", upward.Distinct()));
    }

    [Fact]
    public void TheCheckSeesImportsAndQualifiedNames()
    {
        // A check that found nothing in any file would pass vacuously: these must be seen.
        Assert.Equal(["Audit"], LayersNamed(WithoutCommentsAndText("using PortAudit.Audit.Firewall;\nclass A {}")));
        Assert.Equal(["Report"], LayersNamed(WithoutCommentsAndText("class A { Report.Html.X x; }")));
        Assert.Equal(["Pipeline"], LayersNamed(WithoutCommentsAndText("using static PortAudit.Pipeline.TrafficRun;")));
        Assert.Empty(LayersNamed(WithoutCommentsAndText("// using PortAudit.Audit;\nclass A { string s = \"Audit.X\"; int n = report.Audit.Count; }")));
        Assert.Contains(SourceFiles(), file => LayersNamed(WithoutCommentsAndText(File.ReadAllText(file))).Contains("Flows"));
    }

    [Fact]
    public void TheLibraryTunesNoProcess()
    {
        var found = (from file in SourceFiles()
                     let code = WithoutComments(File.ReadAllText(file)) // an entry point's name is a string
                     from call in ProcessTuning
                     where code.Contains(call, StringComparison.Ordinal)
                     select $"{Relative(file)}: {call}").ToList();

        Assert.True(found.Count == 0, "process-wide tuning belongs to the program's host, not the library:\n" + string.Join("\n", found));
    }

    /// <summary>The layers a file imports or names qualified.</summary>
    private static List<string> LayersNamed(string code)
    {
        var named = new HashSet<string>();
        foreach (Match m in Import().Matches(code)) named.Add(m.Groups[1].Value);
        foreach (Match m in Qualified().Matches(code))
            if (Layers.Contains(m.Groups[1].Value)) named.Add(m.Groups[1].Value);
        return named.Where(Layers.Contains).Order().ToList();
    }

    private static string WithoutCommentsAndText(string source) => StringLiteral().Replace(WithoutComments(source), "\"\"");

    private static string WithoutComments(string source) => LineComment().Replace(BlockComment().Replace(source, " "), "");

    private static string Relative(string file) => Path.GetRelativePath(Library, file);

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?PortAudit\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex Import();

    /// <summary>A layer's name opening a qualified name: not a member access (<c>x.Audit.Y</c>), not part of a longer word.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:PortAudit\.)?(\w+)\.[A-Z]")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"@?\$?""(?:\\.|[^""\\\n])*""")]
    private static partial Regex StringLiteral();
}
