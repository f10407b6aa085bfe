using PortAudit.Common;

namespace PortAudit.Fuzz;

/// <summary>
/// Runs saved findings again (a file or every <c>*.input</c> of a directory, each with its <c>.txt</c> naming target and
/// seed): what a fix must make pass, and what regression tests replay.
/// </summary>
public static class Replay
{
    /// <summary>Replays <paramref name="path"/> with <paramref name="targets"/>; returns the exit code.</summary>
    public static int Run(string path, IReadOnlyList<IFuzzTarget> targets, string findingsDirectory, TextWriter output)
    {
        var inputs = Directory.Exists(path) ? Directory.EnumerateFiles(path, "*.input").Order(StringComparer.Ordinal).ToList() : [path];
        var scratch = new FuzzFindings(findingsDirectory).Scratch;
        int failing = 0;
        foreach (var input in inputs)
        {
            string? problem = ReplayOne(input, targets, scratch);
            output.WriteLine($"{(problem is null ? "ok  " : "FAIL")} {Path.GetFileName(input)}{(problem is null ? "" : ": " + problem)}");
            if (problem is not null) failing++;
        }
        output.WriteLine($"replay: {inputs.Count - failing} of {inputs.Count} pass");
        return failing == 0 ? FuzzCommand.Clean : FuzzCommand.Found;
    }

    /// <summary>Runs one saved input; returns null when the library now takes it (accepts or refuses clearly), else what went wrong.</summary>
    public static string? ReplayOne(string inputPath, IReadOnlyList<IFuzzTarget> targets, string scratch)
    {
        var report = File.ReadAllLines(Path.ChangeExtension(inputPath, ".txt"));
        if (report.Length < 2) return "its .txt names no target and seed";
        var target = targets.FirstOrDefault(t => t.Name == report[0]);
        if (target is null) return $"unknown target '{report[0]}'";
        try
        {
            target.Run(new FuzzSeed(report[1], []), File.ReadAllBytes(inputPath), scratch);
            return null;
        }
        catch (InputException)
        {
            return null;
        }
        catch (Exception ex)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }
}
