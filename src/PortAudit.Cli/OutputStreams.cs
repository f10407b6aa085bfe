using PortAudit.Report;
namespace PortAudit.Cli;

/// <summary>Opens the destination of a command's main output.</summary>
public static class OutputStreams
{
    /// <summary>The file at <paramref name="path"/>, or standard output when it is null or "-".</summary>
    public static Stream Open(string? path)
    {
        if (path is null or "-") return Console.OpenStandardOutput();
        return OutputSet.OpenFile(path);
    }
}
