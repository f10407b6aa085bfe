using PortAudit.Report;
namespace PortAudit.Cli;

/// <summary>Opens the destination of a command's main output.</summary>
public static class OutputStreams
{
    /// <summary>
    /// The file at <paramref name="path"/>, or standard output when it is null or "-"; writes throw
    /// <see cref="OperationCanceledException"/> once <paramref name="abandon"/> fires (SIGTERM's grace is over), and a
    /// file then stays as it was.
    /// </summary>
    public static Stream Open(string? path, CancellationToken abandon = default)
    {
        if (path is null or "-") return abandon.CanBeCanceled ? OutputSet.Watched(Console.OpenStandardOutput(), "-", abandon) : Console.OpenStandardOutput();
        return OutputSet.OpenFile(path, abandon);
    }
}
