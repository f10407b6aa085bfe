using System.CommandLine;
using PortAudit.Flows;
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
        var captures = CaptureOptions.CapturesArgument();
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: jsonl (one JSON object per line), csv, or table.",
            DefaultValueFactory = _ => "jsonl",
        };
        format.AcceptOnlyFromAmong(FlowRecordWriters.Formats);
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var flowOptions = new CaptureOptions();
        command.Arguments.Add(captures);
        command.Options.Add(format);
        command.Options.Add(output);
        flowOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var paths = parse.GetValue(captures)!;
            using var writer = FlowRecordWriters.Create(parse.GetValue(format)!, OutputStreams.Open(parse.GetValue(output)));
            var table = Pipeline.CreateTable(flowOptions.Read(parse), new FlowRecordObserver(writer));
            var reader = new TrafficReader(table);
            reader.ReadAll(paths);
            writer.Complete();
            return RunSummary.Report(log, reader, table);
        }));
        return command;
    }
}
