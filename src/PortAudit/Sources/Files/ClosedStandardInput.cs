namespace PortAudit.Sources.Files;

/// <summary>
/// Tells whether standard input was closed when the process started (<c>portaudit flows - &lt;&amp;-</c>). The
/// runtime then reuses descriptor 0 for a pipe of its own, and reading it waits forever; so descriptor 0 counts as
/// closed when it is a pipe whose writing end this process holds too. Only Linux shows this (through /proc);
/// elsewhere the answer is false and reading behaves as the system makes it.
/// </summary>
internal static class ClosedStandardInput
{
    private const string Descriptors = "/proc/self/fd";

    /// <summary>True when descriptor 0 is a pipe that this process also writes to.</summary>
    public static bool Detect()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !Directory.Exists(Descriptors))
                return false;
            // Still closed: nothing has taken descriptor 0 yet, but the next file or pipe opened would (a log file, the
            // runtime's own pipe), and reading it would read that.
            if (!Path.Exists(Path.Combine(Descriptors, "0")) && new FileInfo(Path.Combine(Descriptors, "0")).LinkTarget is null)
                return true;
            if (PipeOf("0") is not { } pipe)
                return false;
            foreach (var path in Directory.EnumerateFiles(Descriptors))
            {
                string descriptor = Path.GetFileName(path);
                if (descriptor != "0" && PipeOf(descriptor) == pipe && OpenForWriting(descriptor))
                    return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A descriptor closed while we looked, or no /proc: no evidence of a closed input.
        }
        return false;
    }

    private static string? PipeOf(string descriptor)
    {
        try
        {
            return new FileInfo(Path.Combine(Descriptors, descriptor)).LinkTarget is { } target && target.StartsWith("pipe:", StringComparison.Ordinal)
                ? target
                : null;
        }
        catch (IOException)
        {
            return null; // closed while we looked
        }
    }

    // /proc/self/fdinfo/N holds "flags:\t0100001" in octal; the access mode is its lowest two bits (1 = write only).
    private static bool OpenForWriting(string descriptor)
    {
        foreach (var line in File.ReadLines($"/proc/self/fdinfo/{descriptor}"))
            if (line.StartsWith("flags:", StringComparison.Ordinal))
                return (Convert.ToInt32(line["flags:".Length..].Trim(), 8) & 3) is 1 or 2;
        return false;
    }
}
