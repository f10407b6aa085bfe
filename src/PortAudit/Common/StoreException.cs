namespace PortAudit.Common;

/// <summary>
/// An error of a flow store rather than of a file: it could not be reached, went away, or refused a statement. An
/// audit whose flows came from a store that failed says so (its reports are incomplete for a store failure, not for
/// damaged input). The message names the store, never its password.
/// </summary>
public class StoreException : InputException
{
    /// <summary>Creates the exception with a message that names the store and what it answered.</summary>
    public StoreException(string message, Exception? inner = null) : base(message, inner) { }
}
