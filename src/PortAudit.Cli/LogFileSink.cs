using PortAudit.Common;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace PortAudit.Cli;

/// <summary>
/// The --log-file sink: each event appended and flushed as it comes, and the first write that fails (a full disk) kept
/// in <see cref="Failure"/> for the command to end with exit 2, where Serilog's own file sink drops what it cannot write
/// without a word.
/// </summary>
/// <remarks>
/// The log is appended to, never replaced through a temporary as the other outputs are: it is written while the run
/// goes, so that a run that hangs or is killed still leaves what it logged, and a log file holds the runs one after
/// another, as logs do. What an earlier run logged is never rewritten, so a failing write can at most leave the last
/// line short.
/// </remarks>
public sealed class LogFileSink : ILogEventSink, IDisposable
{
    private readonly ITextFormatter _formatter;
    private readonly string _shown;
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();
    private string? _failure;

    /// <summary>Opens <paramref name="path"/> for appending; <paramref name="shown"/> names it in messages.</summary>
    /// <exception cref="InputException">It cannot be opened for writing.</exception>
    public LogFileSink(string path, string shown, ITextFormatter formatter)
    {
        _formatter = formatter;
        _shown = shown;
        try
        {
            var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            _writer = new StreamWriter(file, new System.Text.UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(Directory.Exists(path)
                ? IoFailure.CannotWrite($"--log-file {shown}", "it is a directory")
                : IoFailure.CannotWrite($"--log-file {shown}", ex));
        }
    }

    /// <summary>Why the log could not be written (null while every event was): a one-line message naming the file.</summary>
    public string? Failure
    {
        get
        {
            lock (_lock) return _failure;
        }
    }

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            if (_failure is not null) return;
            try
            {
                _formatter.Format(logEvent, _writer);
                _writer.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _failure = IoFailure.CannotWrite($"--log-file {_shown}", ex);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            try
            {
                _writer.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Every event was flushed as it came: what failed here was said by Emit already, or there was nothing left.
                _failure ??= IoFailure.CannotWrite($"--log-file {_shown}", ex);
            }
        }
    }
}
