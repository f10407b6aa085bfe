using PortAudit.Common;

namespace PortAudit.Sources.Live;

/// <summary>
/// Live capture could not start or stopped on an error (no permission, unknown interface, bad filter,
/// interface gone). An input error: the CLI prints the message and exits with code 2.
/// </summary>
public sealed class LiveCaptureException : InputException
{
    /// <summary>Creates the exception.</summary>
    public LiveCaptureException(string message) : base(message) { }

    /// <summary>Creates the exception, keeping what caused it.</summary>
    public LiveCaptureException(string message, Exception inner) : base(message, inner) { }
}
