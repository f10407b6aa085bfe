using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PortAudit.Tests.Cli;

/// <summary>
/// The progress display as a terminal shows it: the audit runs in an 80-column tmux pane, whose output tmux keeps
/// (pipe-pane) for the test to read back.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class ProgressDisplayTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-progress");
    private const int Files = 30;
    private readonly string _session = $"portaudit-progress-{Environment.ProcessId}";

    private static ExternalProgram.Result Tmux(params string[] arguments) =>
        ExternalProgram.Run(ExternalProgram.Start("tmux", arguments), TimeSpan.FromSeconds(10));

    [SharedDataFact("bench/base.pcap")]
    public void OneLineForAllInputsThenAPhaseLineWithinEightyColumns()
    {
        if (!File.Exists("/usr/bin/tmux")) return; // tools/setup.sh installs it
        // Thirty inputs of 27 MB each: long enough, on a quiet machine too, for the display to appear (after half a
        // second) and move on from file to file.
        string inputs = Directory.CreateDirectory(Path.Combine(_dir.FullName, "inputs")).FullName;
        for (int i = 1; i <= Files; i++)
            File.CreateSymbolicLink(Path.Combine(inputs, $"copy-{i}-with-a-name-longer-than-the-line-has-room-for.pcap"), SharedData.Path("bench/base.pcap")!);
        string dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        // The plots' pictures keep the reports' phase on screen for a second or two: without them it may end before the
        // display's next refresh (200 ms) draws it.
        string command = $"dotnet '{dll}' audit '{inputs}' --inventory '{SharedData.InRepository("captures/lab.yaml")}' " +
                         $"--out '{_dir.FullName}/out' --plots '{_dir.FullName}/plots' --fail-on none; echo PORTAUDIT-DONE; sleep 60";
        Assert.Equal(0, Tmux("new-session", "-d", "-s", _session, "-x", "80", "-y", "24", command).ExitCode);
        // Everything the program writes to the pane, kept by tmux itself: polling the pane from here missed lines for
        // seconds at a time while the rest of the suite loaded both cores. The display starts half a second into the
        // run, so attaching now loses none of it.
        string raw = Path.Combine(_dir.FullName, "pane.log");
        Assert.Equal(0, Tmux("pipe-pane", "-o", "-t", _session, $"cat >> '{raw}'").ExitCode);

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && !(File.Exists(raw) && File.ReadAllText(raw).Contains("PORTAUDIT-DONE")))
            Thread.Sleep(100);
        // The rows as drawn: the display redraws in place with cursor moves and erases, which leave the rows' text.
        string drawn = Regex.Replace(File.ReadAllText(raw), @"\x1b\[[0-9;?]*[A-Za-z]", "");
        var lines = drawn.Split('\r', '\n').Select(l => l.Trim()).ToHashSet();
        // Every row the pane showed, in the test's output: a failure on a loaded CI machine is read from them.
        output.WriteLine($"{lines.Count} rows drawn in {clock.Elapsed.TotalSeconds:0.0} s:");
        foreach (var line in lines.Where(l => l.Length > 0)) output.WriteLine(line);
        Assert.Contains("PORTAUDIT-DONE", lines);
        var progress = lines.Where(l => l.Contains('%')).ToList();
        // One display across the inputs: a later file's line carries the bar and the overall percentage on the same row.
        Assert.Contains(progress, l => Regex.IsMatch(l, @"^file ([2-9]|[12]\d|30) of 30 copy-\d+-with.*… .* flows .* MiB/s .*\s\d+% \d\d:\d\d:\d\d$"));
        Assert.Contains(progress, l => l.StartsWith("writing reports... ", StringComparison.Ordinal) && l.Contains("100%"));
        Assert.All(progress, l => Assert.True(l.Length < 80, $"{l.Length} columns: {l}"));
        // The percentage never restarts for a new file: across the run it only grows.
        Assert.DoesNotContain(progress, l => Regex.IsMatch(l, @"^file ([5-9]|[12]\d|30) of 30 .*\s[0-9]% "));
    }

    public void Dispose()
    {
        if (File.Exists("/usr/bin/tmux")) Tmux("kill-session", "-t", _session);
        _dir.Delete(recursive: true);
    }
}
