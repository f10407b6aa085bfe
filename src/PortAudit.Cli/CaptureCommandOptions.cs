using System.CommandLine;

namespace PortAudit.Cli;

/// <summary>What every capture-reading command takes: the captures, --format, --output and the flow-table options.</summary>
public sealed class CaptureCommandOptions
{
    /// <summary>Adds the arguments and options to <paramref name="command"/>.</summary>
    public CaptureCommandOptions(Command command, OutputOptions output)
    {
        Output = output;
        command.Arguments.Add(Captures);
        output.AddTo(command);
        Flow.AddTo(command);
    }

    /// <summary>The CAPTURE... argument.</summary>
    public Argument<string[]> Captures { get; } = CaptureOptions.CapturesArgument();

    /// <summary>--format and --output.</summary>
    public OutputOptions Output { get; }

    /// <summary>The flow-table options.</summary>
    public CaptureOptions Flow { get; } = new();
}
