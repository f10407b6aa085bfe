namespace PortAudit.Fuzz;

/// <summary>What one fuzz session does: how long, from which seed, on which targets, and where findings go.</summary>
/// <param name="Budget">Wall-clock time for the whole session.</param>
/// <param name="Seed">Seed of the mutation generator: the same seed and inputs give the same mutations.</param>
/// <param name="Targets">Target names to run; empty for all.</param>
/// <param name="FindingsDirectory">Where inputs that crashed, hung or blew up memory are saved with their report.</param>
/// <param name="InputTimeout">Longest an input may take before it counts as a hang.</param>
/// <param name="MemoryLimitBytes">Working set above which the current input counts as a memory blow-up.</param>
/// <param name="RepoRoot">The repository: seeds come from captures/ and rules/, and from ../shared when present.</param>
/// <param name="InputsPerTarget">Stops once every target ran this many inputs (0: the budget alone decides); with a fixed seed, a reproducible run.</param>
public sealed record FuzzOptions(
    TimeSpan Budget,
    int Seed,
    IReadOnlyList<string> Targets,
    string FindingsDirectory,
    TimeSpan InputTimeout,
    long MemoryLimitBytes,
    string RepoRoot,
    long InputsPerTarget = 0);
