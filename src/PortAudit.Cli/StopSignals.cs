using System.Runtime.InteropServices;

namespace PortAudit.Cli;

/// <summary>
/// Turns Ctrl+C and SIGTERM into a clean stop: the run stops reading, and what was read still ends, is written
/// and audited. A second Ctrl+C is left to the runtime, which ends the process, for when a clean stop itself hangs.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _terminate;
    private int _received;

    public StopSignals()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        // The first SIGTERM asks for a clean stop; a second one is left to the runtime, which ends the process at once.
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = Request());
    }

    /// <summary>Fires on the first signal, or when <see cref="CancelAfter"/> runs out.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>True once a signal asked to stop.</summary>
    public bool Received => Volatile.Read(ref _received) != 0;

    /// <summary>Stops the run after <paramref name="duration"/> too.</summary>
    public void CancelAfter(TimeSpan duration) => _stop.CancelAfter(duration);

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = Request();

    // True when this was the first request, which the run honours by stopping cleanly.
    private bool Request()
    {
        bool first = Interlocked.Exchange(ref _received, 1) == 0;
        if (first) _stop.Cancel();
        return first;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate.Dispose();
        _stop.Dispose();
    }
}
