using PortAudit.Catalog;
using PortAudit.Fuzz;

// portaudit-fuzz: mutates captures, inventories and catalogs and runs them through the library as the CLI would,
// for a time budget; inputs that crash, hang or blow up memory are saved to the findings directory.
return FuzzCommand.Run(args, Console.Out, Console.Error);

namespace PortAudit.Fuzz
{
    /// <summary>The harness's command line: options, the session or a replay, the summary and the exit code.</summary>
    public static class FuzzCommand
    {
        /// <summary>Exit code when nothing was found.</summary>
        public const int Clean = 0;

        /// <summary>Exit code when findings were saved (or a replayed finding still fails).</summary>
        public const int Found = 1;

        /// <summary>Exit code for a bad command line.</summary>
        public const int Usage = 2;

        private const string Help = """
            usage: portaudit-fuzz [--seconds N] [--inputs N] [--seed N] [--target capture|draft|inventory|catalog]... [--findings DIR]
                                  [--timeout-ms N] [--memory-mb N] [--repo DIR]
                   portaudit-fuzz --replay DIR|FILE.input [--repo DIR]
                   portaudit-fuzz afl READER | afl-seeds READER DIR | afl-readers   (the coverage-guided tier: tools/fuzz/afl.sh)

            Mutates the inputs PortAudit reads (captures from captures/ and ../shared, inventories, catalogs) and runs
            them in process as the CLI would, until the time budget is spent. An input that throws anything but a clear
            input error, takes longer than the timeout, or grows the working set past the limit is saved to the
            findings directory (KIND-TARGET-HASH.input with a .txt report). A process killed by an input (stack
            overflow) is reported by the next session in the same findings directory.

              --seconds N     time budget (default 60)
              --inputs N      stop once every target ran N inputs (with --seed, a reproducible run)
              --seed N        mutation seed (default: from the clock, printed)
              --target NAME   run only this target; repeatable (default: all)
              --findings DIR  where findings go (default: fuzz-findings)
              --timeout-ms N  an input taking longer is a hang (default 10000)
              --memory-mb N   a working set above this is a memory finding (default 2048)
              --repo DIR      the repository (default: found from the current directory)
              --replay PATH   run saved findings again and say which still fail

            Exit codes: 0 nothing found, 1 findings (or a replayed finding still fails), 2 bad command line.
            """;

        /// <summary>Runs the command line <paramref name="args"/>; returns the exit code.</summary>
        public static int Run(string[] args, TextWriter output, TextWriter errors)
        {
            if (AflCommand.Handles(args))
            {
                // The instrumented copy runs from a scratch directory: the repository is the current directory's.
                if (FindRepo(Directory.GetCurrentDirectory()) is { } root) return AflCommand.Run(args, root, output, errors);
                return Fail(errors, "cannot find the repository: run from inside it") ? Clean : Usage;
            }
            if (!TryParse(args, errors, out var options, out string? replay)) return Usage;
            if (options is null) { output.Write(Help); return Clean; }
            var catalog = CatalogLoader.Load(Path.Combine(options.RepoRoot, "rules"));
            var captures = new CaptureTarget(options.RepoRoot, catalog);
            IFuzzTarget[] all = [captures, new DraftTarget(captures, catalog), new InventoryTarget(options.RepoRoot, catalog), new CatalogTarget(options.RepoRoot)];
            if (replay is not null) return Replay.Run(replay, all, options.FindingsDirectory, output);
            var unknown = options.Targets.Where(t => all.All(a => a.Name != t)).ToList();
            if (unknown.Count > 0)
            {
                errors.WriteLine($"portaudit-fuzz: unknown target '{unknown[0]}' (targets: {string.Join(", ", all.Select(a => a.Name))})");
                return Usage;
            }
            var targets = all.Where(t => options.Targets.Count == 0 || options.Targets.Contains(t.Name)).ToList();
            var session = new FuzzSession(options, targets, errors);
            output.WriteLine($"fuzz: seed {options.Seed}, budget {options.Budget.TotalSeconds:0} s, findings in {options.FindingsDirectory}");
            int found = session.Run();
            FuzzSummary.Write(session, output);
            // A hung worker thread cannot be stopped; leaving at once ends it with the process.
            if (session.StoppedOnHang) Environment.Exit(Found);
            return found > 0 ? Found : Clean;
        }

        private static bool TryParse(string[] args, TextWriter errors, out FuzzOptions? options, out string? replay)
        {
            options = null;
            replay = null;
            int seconds = 60, timeoutMs = 10_000, memoryMb = 2048, perTarget = 0;
            int seed = Environment.TickCount & 0x7FFFFFFF;
            string findings = "fuzz-findings";
            string? repo = null;
            string? replayPath = null;
            var targets = new List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                if (name is "-h" or "--help") return true;
                if (i + 1 >= args.Length || !name.StartsWith("--", StringComparison.Ordinal))
                    return Fail(errors, name.StartsWith("--", StringComparison.Ordinal) ? $"{name} needs a value" : $"unexpected argument '{name}'");
                string value = args[++i];
                string? problem = name switch
                {
                    "--seconds" => Positive(value, out seconds),
                    "--inputs" => Positive(value, out perTarget),
                    "--seed" => int.TryParse(value, out seed) ? null : "expects a whole number",
                    "--timeout-ms" => Positive(value, out timeoutMs),
                    "--memory-mb" => Positive(value, out memoryMb),
                    "--target" => Add(targets, value),
                    "--findings" => Set(out findings, value),
                    "--repo" => Set(out repo!, value),
                    "--replay" => Set(out replayPath!, value),
                    _ => "unknown option (see --help)",
                };
                if (problem is not null) return Fail(errors, $"{name} '{value}': {problem}");
            }
            replay = replayPath;
            repo ??= FindRepo(Directory.GetCurrentDirectory()) ?? FindRepo(AppContext.BaseDirectory);
            if (repo is null || !Directory.Exists(Path.Combine(repo, "rules")))
                return Fail(errors, "cannot find the repository (a directory with rules/ and captures/): give --repo DIR");
            options = new FuzzOptions(TimeSpan.FromSeconds(seconds), seed, targets, Path.GetFullPath(findings),
                TimeSpan.FromMilliseconds(timeoutMs), (long)memoryMb << 20, Path.GetFullPath(repo), perTarget);
            return true;
        }

        // Each returns the problem with the value, or null when it was taken.
        private static string? Positive(string text, out int value) =>
            int.TryParse(text, out value) && value > 0 ? null : "expects a positive whole number";

        private static string? Add(List<string> list, string value)
        {
            list.Add(value);
            return null;
        }

        private static string? Set(out string target, string value)
        {
            target = value;
            return null;
        }

        private static bool Fail(TextWriter errors, string message)
        {
            errors.WriteLine("portaudit-fuzz: " + message);
            return false;
        }

        private static string? FindRepo(string start)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PortAudit.sln"))) return dir.FullName;
            return null;
        }
    }
}
