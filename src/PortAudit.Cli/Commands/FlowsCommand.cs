using System.CommandLine;
using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Report;
using Serilog;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit flows</c>: one record per bidirectional flow.</summary>
public static class FlowsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("flows", "Read captures (pcap, pcapng, gzip, '-' for stdin) and write one record per flow.");
        var options = new CaptureCommandOptions(command, FlowRecordWriters.Formats, "jsonl", "Output format: jsonl (one JSON object per line), csv, or table.");
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var paths = parse.GetValue(options.Captures)!;
            using var writer = FlowRecordWriters.Create(parse.GetValue(options.Format)!, OutputStreams.Open(parse.GetValue(options.Output)));
            var table = new FlowTable(options.Flow.Read(parse), new InspectionEngine(), new FlowRecordObserver(writer));
            var reader = new TrafficReader(table);
            reader.ReadAll(paths);
            writer.Complete();
            return RunSummary.Report(log, reader, table);
        }));
        return command;
    }
}

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
