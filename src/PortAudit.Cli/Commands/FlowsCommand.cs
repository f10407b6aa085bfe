using System.CommandLine;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit flows</c>: one record per bidirectional flow.</summary>
public static class FlowsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("flows", "Read captures (pcap, pcapng, gzip, '-' for stdin) or flow records (Zeek conn.log, IPFIX/NetFlow v9/v5, firewall logs) and write one record per flow, to standard output, a file or the flow store (--store).");
        var options = new CaptureCommandOptions(command, OutputOptions.ForFlows());
        var inputFormat = new InputOptions();
        inputFormat.AddTo(command);
        var store = new StoreOptions();
        store.AddTo(command);
        var export = new ExportOptions();
        export.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var sources = inputFormat.Sources(parse, CaptureOptions.InputPaths(parse, options.Captures, log));
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            // Before the output opens: after SIGTERM the held flows still being written get the grace, then the output is
            // abandoned (a file stays as it was), so the command ends within a second however many flows were held.
            using var stop = new StopSignals();
            // With --store, the store is the output: records go to a file only when --output names one.
            using var writer = !store.Requested(parse) || options.Output.ToFile(parse) ? options.Output.OpenFlowWriter(parse, stop.Abandon) : null;
            using var stored = store.Open(parse, sources.Select(s => s.Name).ToList(), log);
            using var exporter = export.Open(parse, verdicts: false, log);
            IFlowObserver[] consumers = [.. writer is null ? [] : new IFlowObserver[] { new FlowRecordObserver(writer) }, .. Present(stored), .. Present(exporter)];
            var run = new TrafficRun(options.Flow.Read(parse), consumers);
            CaptureProgress.Run(run, CaptureProgress.Wanted(quiet), sources, () => run.Read(sources, stop.Token, stop.Abandon));
            writer?.Complete();
            StoreOptions.Conclude(stored, log, quiet);
            ExportOptions.Conclude(exporter, log, quiet);
            int status = RunSummary.Report(log, run.Summary);
            return status != ExitCodes.Ok || !stop.Received ? status : RunSummary.Interrupted(run.Summary, quiet, "the flows read so far were written");
        }));
        return command;
    }

    private static IFlowObserver[] Present(IFlowObserver? observer) => observer is null ? [] : [observer];
}
