using System.CommandLine;
using PortAudit.Cli.Strict;
using PortAudit.Common;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace PortAudit.Cli;

/// <summary>Options every subcommand accepts: logging and quiet mode.</summary>
public static class GlobalOptions
{
    /// <summary>Minimum level of log events written to stderr and the log file.</summary>
    public static readonly Option<LogEventLevel> LogLevel = new("--log-level")
    {
        Description = "Minimum log level: Verbose, Debug, Information, Warning, Error, Fatal.",
        DefaultValueFactory = _ => LogEventLevel.Warning,
        Recursive = true,
    };

    /// <summary>Optional file that receives the log in addition to stderr.</summary>
    public static readonly Option<FileInfo?> LogFile = new("--log-file")
    {
        Description = "Also write the log to this file.",
        Recursive = true,
    };

    /// <summary>Text for people or one JSON object per event for machines.</summary>
    public static readonly Option<string> LogFormat = new("--log-format")
    {
        Description = "Log format: text or json.",
        DefaultValueFactory = _ => "text",
        Recursive = true,
    };

    /// <summary>Suppresses progress output.</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "No progress display and no console summary.",
        Recursive = true,
    };

    /// <summary>Registers the options on the root command.</summary>
    public static void AddTo(RootCommand root)
    {
        LogFormat.OneOf(["text", "json"]);
        root.Options.Add(LogLevel);
        root.Options.Add(LogFile);
        root.Options.Add(LogFormat);
        root.Options.Add(Quiet);
    }

    /// <summary>Builds the Serilog logger from the parsed options, with the --log-file sink it writes to, if any.</summary>
    /// <exception cref="InputException">--log-file cannot be written.</exception>
    public static (ILogger Logger, LogFileSink? File) CreateLogger(ParseResult parse)
    {
        var level = parse.GetValue(LogLevel);
        bool json = parse.GetValue(LogFormat) == "json";
        // Opened here, before anything runs, so that a wrong path stops the command (exit 2) instead of losing the log.
        var file = parse.GetValue(LogFile) is { } logFile
            ? new LogFileSink(logFile.FullName, logFile.ToString(), json
                ? new JsonFormatter(renderMessage: true)
                : new MessageTemplateTextFormatter("{Timestamp:o} [{Level:u3}] {Message:lj}{NewLine}{Exception}"))
            : null;
        var config = new LoggerConfiguration().MinimumLevel.Is(level);
        config = json
            ? config.WriteTo.Console(new JsonFormatter(renderMessage: true), standardErrorFromLevel: LogEventLevel.Verbose)
            : config.WriteTo.Console(TerminalText.Formatter(new MessageTemplateTextFormatter("portaudit: {Level:u3} {Message:lj}{NewLine}{Exception}")),
                standardErrorFromLevel: LogEventLevel.Verbose);
        if (file is not null) config = config.WriteTo.Sink(file);
        return (config.CreateLogger(), file);
    }
}
