using PortAudit.Common;
using SharpFuzz;

namespace PortAudit.Fuzz;

/// <summary>
/// The coverage-guided tier's side of the harness: <c>afl READER</c> is the program afl-fuzz runs (SharpFuzz's fork
/// server in persistent mode: one process runs input after input, which is what makes .NET fast enough to fuzz), and
/// <c>afl-seeds READER DIR</c> writes the reader's seeds for afl-fuzz's -i. Run without afl-fuzz, <c>afl READER</c>
/// runs standard input once and lets a crash's exception out: how a saved crash or hang is replayed by hand.
/// </summary>
public static class AflCommand
{
    /// <summary>True when <paramref name="args"/> is one of this class's commands.</summary>
    public static bool Handles(string[] args) => args.Length > 0 && args[0] is "afl" or "afl-seeds" or "afl-readers";

    /// <summary>
    /// Runs the command <paramref name="args"/>; returns the exit code. <c>afl-seeds</c> and <c>afl-readers</c> run
    /// the library before any fork server maps a coverage bitmap: they are for the uninstrumented build.
    /// </summary>
    public static int Run(string[] args, string repo, TextWriter output, TextWriter errors)
    {
        if (args[0] == "afl-readers")
        {
            foreach (string name in ReaderTargets.Names) output.WriteLine($"{name}\t{ReaderTargets.Create(name, repo).Seeds.Count} seeds");
            return FuzzCommand.Clean;
        }
        bool seeds = args[0] == "afl-seeds";
        if (args.Length != (seeds ? 3 : 2) || !ReaderTargets.Names.Contains(args[1]))
        {
            errors.WriteLine($"usage: portaudit-fuzz afl READER | afl-seeds READER DIR | afl-readers (readers: {string.Join(", ", ReaderTargets.Names)})");
            return FuzzCommand.Usage;
        }
        if (seeds) return WriteSeeds(ReaderTargets.Create(args[1], repo), args[2], errors);
        Fuzz(args[1], repo);
        return FuzzCommand.Clean;
    }

    private static int WriteSeeds(IFuzzTarget target, string directory, TextWriter errors)
    {
        if (target.Seeds.Count == 0)
        {
            errors.WriteLine($"portaudit-fuzz: no seeds for {target.Name} (is ../shared beside the repository?)");
            return FuzzCommand.Found;
        }
        Directory.CreateDirectory(directory);
        foreach (var seed in target.Seeds) File.WriteAllBytes(Path.Combine(directory, seed.Name), seed.Bytes);
        return FuzzCommand.Clean;
    }

    private static void Fuzz(string reader, string repo)
    {
        string scratch = Directory.CreateTempSubdirectory("portaudit-afl-").FullName;
        IFuzzTarget? target = null;
        try
        {
            Fuzzer.Run(stream =>
            {
                // Made in the first run, which SharpFuzz runs before it reports coverage (its bitmap is mapped by then).
                target ??= ReaderTargets.Create(reader, repo);
                using var input = new MemoryStream();
                stream.CopyTo(input);
                Once(target, target.Seeds.FirstOrDefault() ?? new FuzzSeed("input", []), input.ToArray(), scratch);
            });
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>
    /// Runs one input: a clear refusal (<see cref="InputException"/>, exit 2 in the CLI) is the reader doing its job
    /// and counts as <see cref="FuzzVerdict.Rejected"/>; anything else escapes, and afl-fuzz counts it a crash.
    /// </summary>
    public static FuzzVerdict Once(IFuzzTarget target, FuzzSeed seed, byte[] input, string scratch)
    {
        try
        {
            return target.Run(seed, input, scratch);
        }
        catch (InputException)
        {
            return FuzzVerdict.Rejected;
        }
    }
}
