using System.CommandLine;
using PortAudit.Cli.Strict;
using PortAudit.Catalog;
using PortAudit.Common;
using Serilog;

namespace PortAudit.Cli;

/// <summary>
/// Runs a parsed command line and turns the library's input errors into exit code 2
/// with a one-line reason, so that every command reports bad input the same way.
/// </summary>
public static class CommandRunner
{
    /// <summary>Parses and invokes; returns the process exit code.</summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (ParseErrors.Describe(parse) is { } error)
        {
            // One line, before any input is opened: a bad option never costs a run.
            TerminalText.Error($"portaudit: {error}");
            return ExitCodes.BadInput;
        }
        return parse.Invoke();
    }

    /// <summary>
    /// Wraps a command body: sets up logging, maps <see cref="InputException"/> to exit 2,
    /// and always flushes the log.
    /// </summary>
    public static int Run(ParseResult parse, Func<ILogger, int> body)
    {
        ILogger log;
        LogFileSink? logFile;
        try
        {
            (log, logFile) = GlobalOptions.CreateLogger(parse);
        }
        catch (InputException ex)
        {
            TerminalText.Error($"portaudit: {ex.Message}");
            return ExitCodes.BadInput;
        }
        Log.Logger = log;
        // Before any output is opened: a SIGTERM the command does not take still removes its temporaries.
        TerminationSignal.Install();
        int status = RunBody(log, body);
        (log as IDisposable)?.Dispose();
        logFile?.Dispose();
        // A log that could not be written (a full disk) is an output that failed: said once, at the end, and exit 2 unless
        // the run was interrupted, whose code says more.
        if (logFile?.Failure is not { } failure) return status;
        TerminalText.Error($"portaudit: {failure}");
        return status == ExitCodes.Interrupted ? status : ExitCodes.BadInput;
    }

    private static int RunBody(ILogger log, Func<ILogger, int> body)
    {
        try
        {
            return body(log);
        }
        catch (LocatedInputException ex)
        {
            // A list of problems, one per line, each naming its file, line and column.
            TerminalText.ErrorLines($"portaudit: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (InputException ex)
        {
            TerminalText.Error($"portaudit: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            // SIGTERM's grace ran out while the analysis or the reports were being written (StopSignals): nothing new was
            // put in place, and what had been written under temporary names is gone.
            TerminalText.Error("portaudit: interrupted before the outputs were complete: none was written, the previous ones are as they were");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Outputs the library does not name (standard output, --output, a log file) failing to write: a full disk,
            // a closed pipe, no permission. One line and the bad-input code, never a stack trace or the findings code.
            TerminalText.Error($"portaudit: cannot write: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex)
        {
            // A bug: the input met a case no check names. One line saying so and the stack for a report, and a code of
            // its own; System.CommandLine's handler printed the stack and returned 1, the findings code.
            TerminalText.Error($"portaudit: internal error, a fault of portaudit rather than of the input: {ex.GetType().Name}: {ex.Message}");
            TerminalText.Error(ex.StackTrace ?? "");
            return ExitCodes.InternalError;
        }
    }
}
