using System.Runtime.InteropServices;
using PortAudit.Report;

namespace PortAudit.Cli;

/// <summary>
/// The process's one SIGTERM handler. A command that stops cleanly (<see cref="StopSignals"/>) takes the signal through
/// <see cref="Handle"/>; any other SIGTERM (a command that reads no traffic, or a second one) is left to the runtime,
/// which ends the process at once (exit 143), after the temporaries of the outputs being written are removed: the
/// runtime runs no finally block and raises no ProcessExit on that path, so nothing else would.
/// </summary>
internal static class TerminationSignal
{
    private static readonly Lock Gate = new();
    private static PosixSignalRegistration? _registration;
    private static Func<bool>? _handler;

    /// <summary>Registers the handler, once per process.</summary>
    public static void Install()
    {
        lock (Gate) _registration ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>
    /// Hands SIGTERM to <paramref name="handler"/> until the result is disposed: it returns true when it takes the signal
    /// (the process goes on to stop cleanly), false to leave it to the runtime.
    /// </summary>
    public static IDisposable Handle(Func<bool> handler)
    {
        Install();
        Volatile.Write(ref _handler, handler);
        return new Handling(handler);
    }

    /// <summary>What a signal left to the runtime does first, for SIGINT too: removes the temporaries of unfinished outputs.</summary>
    public static void BeforeTheRuntimeEnds() => OutputSet.RemoveTemporaries();

    private static void OnSignal(PosixSignalContext context)
    {
        if (Volatile.Read(ref _handler) is { } handler && handler())
        {
            context.Cancel = true;
            return;
        }
        BeforeTheRuntimeEnds();
    }

    private sealed class Handling(Func<bool> handler) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref _handler, null, handler);
    }
}
