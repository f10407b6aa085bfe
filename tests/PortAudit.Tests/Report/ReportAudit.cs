using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Report;

/// <summary>An audit run through the CLI into a throw-away directory, with the page it wrote.</summary>
internal sealed class ReportAudit : IDisposable
{
    /// <param name="exitCode">The exit code the audit of these inputs must end with: 1 when it has findings.</param>
    public ReportAudit(string capture, string inventory, string catalog, int exitCode, string extra = "")
        : this([capture], inventory, catalog, exitCode, extra)
    {
    }

    /// <summary>An audit of several inputs in one run, as <c>portaudit audit A B C ...</c>.</summary>
    public ReportAudit(IReadOnlyList<string> captures, string inventory, string catalog, int exitCode, string extra = "")
    {
        Directory.CreateDirectory(Root);
        Result = CliProcess.Run($"audit {string.Join(' ', captures.Select(c => $"\"{c}\""))} --inventory \"{inventory}\" --catalog \"{catalog}\" --out \"{OutDir}\" --quiet {extra}");
        Assert.True(Result.ExitCode == exitCode, $"audit exited {Result.ExitCode}, not {exitCode}: {Result.StandardError}");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "portaudit-report-" + Guid.NewGuid().ToString("N"));

    public string OutDir => Path.Combine(Root, "out");

    public string HtmlPath => Path.Combine(OutDir, "report.html");

    public string Html => File.ReadAllText(HtmlPath);

    public ExternalProgram.Result Result { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
