namespace PortAudit.Tests;

/// <summary>
/// Tests whose assertions are times run alone: beside the suite's other tests on a small machine (audits, browsers,
/// processes starting and compiling at the start of the run) they would time the suite instead. A page in the browser
/// (report.html's render and search bounds) and a process's stop on SIGTERM within a second: the FIFO's stop, within the
/// second alone and beside two busy CPUs, was once timed at 2.35 s beside the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimedAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "timed alone";
}
