namespace PortAudit.Cli;

/// <summary>Process exit codes that scripts can rely on.</summary>
public static class ExitCodes
{
    /// <summary>The run completed and found nothing the caller asked to fail on.</summary>
    public const int Ok = 0;

    /// <summary>The run completed and produced findings of a kind named by --fail-on.</summary>
    public const int Findings = 1;

    /// <summary>Bad input: a missing, unreadable or corrupt capture, catalog or inventory, a bad argument, or an output that cannot be written.</summary>
    public const int BadInput = 2;

    /// <summary>
    /// Stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report an interrupted command): the outputs are complete
    /// files covering what was read until then, and report.json says <c>"complete": false</c>; or, when SIGTERM's grace
    /// (half a second) ran out before they were written, no new output at all and the previous ones as they were.
    /// </summary>
    /// <remarks>
    /// Commands that do not read traffic (policy emit, catalog, diff) leave SIGTERM to the runtime: they end at once
    /// with 143 (128 + SIGTERM), the temporary files of their outputs removed first (<see cref="TerminationSignal"/>).
    /// </remarks>
    public const int Interrupted = 130;

    /// <summary>
    /// A fault of the tool itself (an exception no input check names: EX_SOFTWARE in sysexits.h): never the findings
    /// code, so that a script cannot take a crash for an audit that found something.
    /// </summary>
    public const int InternalError = 70;
}
