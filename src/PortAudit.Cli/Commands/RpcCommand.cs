using System.CommandLine;
using PortAudit.Pipeline;
using PortAudit.Report.Listings;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit rpc</c>: the endpoint-mapper answers seen, and which later flows used each.</summary>
public static class RpcCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("rpc", "List the DCE/RPC endpoint-mapper mappings in captures and the flows that used them.");
        var options = new CaptureCommandOptions(command, new OutputOptions(RpcMappingWriter.Formats, "table"));
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var sources = CaptureOptions.OpenSources(parse, options.Captures, log);
            var run = new TrafficRun(options.Flow.Read(parse));
            using var stop = new StopSignals();
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            CaptureProgress.Run(run, CaptureProgress.Wanted(quiet), sources, () => run.Read(sources, stop.Token, stop.Abandon));
            int status = RunSummary.ReportThenWrite(log, run.Summary, parse.GetValue(options.Output.Output), () =>
            {
                // After SIGTERM the table gets the grace, then the output is abandoned (a file stays as it was), as in flows.
                using var stream = options.Output.OpenStream(parse, stop.Abandon);
                RpcMappingWriter.Write(stream, parse.GetValue(options.Output.Format)!, run.RpcMappings, options.Output.Tables(parse));
            });
            return status != ExitCodes.Ok || !stop.Received ? status : RunSummary.Interrupted(run.Summary, quiet, "the mappings read so far were written");
        }));
        return command;
    }
}
