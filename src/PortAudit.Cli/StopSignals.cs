namespace PortAudit.Cli;

/// <summary>
/// Turns Ctrl+C and SIGTERM into a clean stop: the run stops reading, and what was read still ends, is written
/// and audited. A second Ctrl+C is left to the runtime, which ends the process, for when a clean stop itself hangs.
/// </summary>
/// <remarks>
/// SIGTERM is how service managers and container runtimes end a process, and they follow it with SIGKILL: it also sets
/// <see cref="Abandon"/> off after <see cref="Grace"/>, so that the work after reading (policy analysis, reports) is
/// given up if it has not ended by then, the previous outputs left whole, and the command ends within a second
/// (issue 43). Ctrl+C is a person ending a capture to see its report: the reports are written however long they take,
/// and a second Ctrl+C or a SIGTERM ends that.
/// </remarks>
internal sealed class StopSignals : IDisposable
{
    /// <summary>How long after SIGTERM the work after reading may go on before it is abandoned.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly IDisposable _terminate;
    private int _received, _terminated;

    public StopSignals()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        // The first SIGTERM asks for a stop within the grace; a second one is left to the runtime, which ends the process at once.
        _terminate = TerminationSignal.Handle(Terminate);
    }

    /// <summary>Fires on the first signal, or when <see cref="CancelAfter"/> runs out: reading stops.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Fires <see cref="Grace"/> after SIGTERM (or at once after a Ctrl+C, then a SIGTERM): what is still being written is given up.</summary>
    public CancellationToken Abandon => _abandon.Token;

    /// <summary>True once a signal asked to stop.</summary>
    public bool Received => Volatile.Read(ref _received) != 0;

    /// <summary>Stops the run after <paramref name="duration"/> too.</summary>
    public void CancelAfter(TimeSpan duration) => _stop.CancelAfter(duration);

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = Request();
        // A second Ctrl+C ends the process at once: what it was writing under temporary names goes first.
        if (!e.Cancel) TerminationSignal.BeforeTheRuntimeEnds();
    }

    // True when this was the first request, which the run honours by stopping cleanly.
    private bool Request()
    {
        bool first = Interlocked.Exchange(ref _received, 1) == 0;
        if (first) _stop.Cancel();
        return first;
    }

    // True (handled here) for the first SIGTERM, whatever came before it.
    private bool Terminate()
    {
        if (Interlocked.Exchange(ref _terminated, 1) != 0) return false;
        // After a Ctrl+C the reports were already being written with no deadline: this one ends them now.
        if (!Request()) _abandon.Cancel();
        else _abandon.CancelAfter(Grace);
        return true;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate.Dispose();
        _stop.Dispose();
        _abandon.Dispose();
    }
}
