using System.Diagnostics;
using PortAudit.Common;

namespace PortAudit.Fuzz;

/// <summary>Counts for one target over a session.</summary>
public sealed class TargetTally
{
    /// <summary>Inputs run.</summary>
    public long Inputs;

    /// <summary>Inputs read without complaint.</summary>
    public long Accepted;

    /// <summary>Inputs refused or read in part with a clear error.</summary>
    public long Rejected;

    /// <summary>Inputs that crashed (all, not only the distinct ones saved).</summary>
    public long Crashes;

    /// <summary>Inputs that hung.</summary>
    public long Hangs;

    /// <summary>Inputs that blew the memory limit.</summary>
    public long Memory;
}

/// <summary>
/// Runs mutated inputs against targets until the time budget is spent: one input at a time on a worker thread with a
/// main-thread-sized stack, watched for time (a hang ends the session, since the worker cannot be taken back) and for
/// memory (a sampler reads the working set every 50 ms).
/// </summary>
public sealed class FuzzSession(FuzzOptions options, IReadOnlyList<IFuzzTarget> targets, TextWriter log)
{
    // The CLI runs on the process's main thread, whose stack is 8 MiB on Linux; a smaller one would report
    // stack overflows the tool never has.
    private const int WorkerStack = 8 << 20;

    /// <summary>Counts per target name.</summary>
    public Dictionary<string, TargetTally> Tallies { get; } = new(StringComparer.Ordinal);

    /// <summary>Highest working set seen, in bytes.</summary>
    public long PeakWorkingSet { get; private set; }

    /// <summary>Time the session took.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>The findings store.</summary>
    public FuzzFindings Findings { get; } = new(options.FindingsDirectory);

    /// <summary>True when the session stopped on a hang (the worker is still busy with it).</summary>
    public bool StoppedOnHang { get; private set; }

    /// <summary>Runs the session; returns the number of findings saved.</summary>
    public int Run()
    {
        Findings.RecoverDied();
        var active = targets.Where(t => t.Seeds.Count > 0).ToList();
        foreach (var target in targets.Except(active)) log.WriteLine($"fuzz: target {target.Name} skipped: no seed files found");
        foreach (var target in active) Tallies[target.Name] = new TargetTally();
        if (active.Count == 0) return 0;

        var random = new Random(options.Seed);
        var clock = Stopwatch.StartNew();
        using var sampler = new Timer(_ => Sample(), null, 0, 50);
        using var work = new InputWorker(WorkerStack);
        long inputs = options.InputsPerTarget * active.Count;
        for (long iteration = 0; clock.Elapsed < options.Budget && (inputs == 0 || iteration < inputs); iteration++)
        {
            var target = active[(int)(iteration % active.Count)];
            var seed = target.Seeds[random.Next(target.Seeds.Count)];
            byte[] input = Mutate(random, target, seed);
            if (!RunOne(work, target, seed, input)) break;
        }
        Elapsed = clock.Elapsed;
        Sample();
        return Findings.Saved.Count;
    }

    private static byte[] Mutate(Random random, IFuzzTarget target, FuzzSeed seed) =>
        target.IsText && random.Next(2) == 0 ? TextMutator.Mutate(random, seed.Bytes) : ByteMutator.Mutate(random, seed.Bytes, target.Seeds);

    // False when the session must stop: the worker hung.
    private bool RunOne(InputWorker work, IFuzzTarget target, FuzzSeed seed, byte[] input)
    {
        var tally = Tallies[target.Name];
        tally.Inputs++;
        Findings.Begin(target.Name, seed, input);
        long baseline = Environment.WorkingSet;
        _overLimit = false;
        var job = work.Start(() => target.Run(seed, input, Findings.Scratch));
        if (!job.Wait(options.InputTimeout))
        {
            tally.Hangs++;
            Findings.Save(FindingKind.Hang, target.Name, seed, input, $"no end within {options.InputTimeout.TotalSeconds:0.#} s");
            Findings.End();
            StoppedOnHang = true;
            return false;
        }
        Findings.End();
        // The sampler may not have run during a short input on a busy machine; what the input left counts too.
        Sample();
        if (_overLimit)
        {
            tally.Memory++;
            Findings.Save(FindingKind.Memory, target.Name, seed, input,
                $"working set passed {options.MemoryLimitBytes >> 20} MiB (it was {baseline >> 20} MiB before the input)", "memory");
        }
        else if (job.Exception is OutOfMemoryException)
        {
            tally.Memory++;
            Findings.Save(FindingKind.Memory, target.Name, seed, input, "the heap passed its hard limit:\n" + job.Exception, "oom");
        }
        else if (job.Exception is InputException) tally.Rejected++;
        else if (job.Exception is { } crash)
        {
            tally.Crashes++;
            Findings.Save(FindingKind.Crash, target.Name, seed, input, crash.ToString(), Signature(crash));
        }
        else if (job.Result == FuzzVerdict.Accepted) tally.Accepted++;
        else tally.Rejected++;
        // Garbage of one input must not count against the next one's memory.
        if (Environment.WorkingSet > options.MemoryLimitBytes / 2) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return true;
    }

    private volatile bool _overLimit;

    private void Sample()
    {
        long workingSet = Environment.WorkingSet;
        if (workingSet > PeakWorkingSet) PeakWorkingSet = workingSet;
        if (workingSet > options.MemoryLimitBytes) _overLimit = true;
    }

    // Same exception type thrown from the same place: one saved input is enough.
    private static string Signature(Exception exception)
    {
        var frame = new StackTrace(exception).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("PortAudit", StringComparison.Ordinal) == true);
        var method = frame?.GetMethod();
        return $"{exception.GetType().FullName}@{method?.DeclaringType?.FullName}.{method?.Name}";
    }
}
