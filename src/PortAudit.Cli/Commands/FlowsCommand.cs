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
        var options = new CaptureCommandOptions(command, OutputOptions.ForFlows());
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var paths = parse.GetValue(options.Captures)!;
            using var writer = options.Output.OpenFlowWriter(parse);
            var (reader, table) = Pipeline.Read(options.Flow.Read(parse), paths,
                CaptureProgress.Wanted(parse.GetValue(GlobalOptions.Quiet)), new FlowRecordObserver(writer));
            writer.Complete();
            return RunSummary.Report(log, reader, table);
        }));
        return command;
    }
}
