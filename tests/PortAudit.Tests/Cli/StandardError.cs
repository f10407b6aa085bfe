namespace PortAudit.Tests.Cli;

/// <summary>
/// In-process commands whose standard error a test reads. Console.Error is the process's: two such tests side by side
/// would each capture the other's lines, and restore each other's writer.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StandardError
{
    /// <summary>The collection's name.</summary>
    public const string Name = "standard error";

    /// <summary>Runs <paramref name="command"/> with standard error captured; its exit code and what it wrote there.</summary>
    public static (int ExitCode, string Text) Capture(Func<int> command)
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            return (command(), error.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }
}
