namespace PortAudit.Common;

/// <summary>The reason of a failed file operation, worded to follow a message that names the file already.</summary>
public static class IoFailure
{
    /// <summary>
    /// The system's reason for <paramref name="failure"/>: an IOException's message without the path .NET appends to it on
    /// Unix (<c>No space left on device : '/full/path'</c>), so that a message of the form <c>FILE: cannot write:
    /// REASON</c> names the file once, as given.
    /// </summary>
    public static string Reason(Exception failure)
    {
        if (failure is not IOException) return failure.Message;
        string message = failure.Message;
        int path = message.LastIndexOf(" : '", StringComparison.Ordinal);
        return path > 0 && message.EndsWith('\'') ? message[..path] : message;
    }

    /// <summary>
    /// The one wording of a failed write, <c>FILE: cannot write: REASON</c>, with <paramref name="file"/> as the user gave
    /// it (a path, or <c>--log-file PATH</c>) and the reason of <see cref="Reason"/>.
    /// </summary>
    public static string CannotWrite(string file, Exception failure) => CannotWrite(file, Reason(failure));

    /// <summary><c>FILE: cannot write: REASON</c> for a reason PortAudit words itself (a directory has the file's name).</summary>
    public static string CannotWrite(string file, string reason) => $"{file}: cannot write: {reason}";
}
