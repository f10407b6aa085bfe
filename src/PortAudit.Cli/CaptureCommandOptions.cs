using System.CommandLine;

namespace PortAudit.Cli;

/// <summary>What every capture-reading command takes: the captures, --format, --output and the flow-table options.</summary>
public sealed class CaptureCommandOptions
{
    /// <summary>Adds the arguments and options to <paramref name="command"/>.</summary>
    public CaptureCommandOptions(Command command, string[] formats, string defaultFormat, string formatHelp)
    {
        Format = new Option<string>("--format", "-f") { Description = formatHelp, DefaultValueFactory = _ => defaultFormat };
        Format.AcceptOnlyFromAmong(formats);
        command.Arguments.Add(Captures);
        command.Options.Add(Format);
        command.Options.Add(Output);
        Flow.AddTo(command);
    }

    /// <summary>The CAPTURE... argument.</summary>
    public Argument<string[]> Captures { get; } = CaptureOptions.CapturesArgument();

    /// <summary>--format.</summary>
    public Option<string> Format { get; }

    /// <summary>--output.</summary>
    public Option<string?> Output { get; } = new("--output", "-o") { Description = "Write to this file instead of standard output." };

    /// <summary>The flow-table options.</summary>
    public CaptureOptions Flow { get; } = new();
}
