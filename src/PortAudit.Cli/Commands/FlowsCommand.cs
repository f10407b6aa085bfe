using System.CommandLine;
using PortAudit.Report.Records;
using PortAudit.Pipeline;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit flows</c>: one record per bidirectional flow.</summary>
public static class FlowsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("flows", "Read captures (pcap, pcapng, gzip, '-' for stdin) or flow records (Zeek conn.log, IPFIX/NetFlow v9, firewall logs) and write one record per flow.");
        var options = new CaptureCommandOptions(command, OutputOptions.ForFlows());
        var inputFormat = new InputFormatOption();
        inputFormat.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var sources = inputFormat.Sources(parse, CaptureOptions.InputPaths(parse, options.Captures, log));
            using var writer = options.Output.OpenFlowWriter(parse);
            var run = new TrafficRun(options.Flow.Read(parse), new FlowRecordObserver(writer));
            using var stop = new StopSignals();
            CaptureProgress.Run(run, CaptureProgress.Wanted(parse.GetValue(GlobalOptions.Quiet)), sources, () => run.Read(sources, stop.Token));
            writer.Complete();
            int status = RunSummary.Report(log, run.Summary);
            return status == ExitCodes.Ok && stop.Received ? ExitCodes.Interrupted : status;
        }));
        return command;
    }
}
