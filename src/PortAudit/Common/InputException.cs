namespace PortAudit.Common;

/// <summary>
/// Base of every error caused by what the user gave us (a capture, a catalog, an inventory),
/// as opposed to a bug. The message names the file and the place in it and says what was wrong;
/// the CLI prints it as one line and exits with code 2.
/// </summary>
public class InputException : Exception
{
    /// <summary>Creates the exception with a message that already names file and location.</summary>
    public InputException(string message, Exception? inner = null) : base(message, inner) { }
}
