namespace PortAudit.Common;

/// <summary>The reason of a failed file operation, worded to follow a message that names the file already.</summary>
public static class IoFailure
{
    /// <summary>
    /// The system's reason for <paramref name="failure"/> without the path .NET appends on Unix
    /// (<c>No space left on device : '/full/path'</c>): a message of the form <c>FILE: cannot write: REASON</c> names
    /// the file once, as given.
    /// </summary>
    public static string Reason(IOException failure)
    {
        string message = failure.Message;
        int path = message.LastIndexOf(" : '", StringComparison.Ordinal);
        return path > 0 && message.EndsWith('\'') ? message[..path] : message;
    }
}
