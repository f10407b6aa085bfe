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
        var output = new FlowOutputOptions();
        var flowOptions = new CaptureOptions();
        command.Arguments.Add(captures);
        output.AddTo(command);
        flowOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var paths = parse.GetValue(captures)!;
            using var writer = output.Open(parse);
            var table = new FlowTable(flowOptions.Read(parse), new FlowRecordObserver(writer));
            var reader = new TrafficReader(table);
            reader.ReadAll(paths);
            writer.Complete();
            return RunSummary.Report(log, reader, table);
        }));
        return command;
    }
}
