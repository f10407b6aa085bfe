using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;
using PortAudit.Sources.Ipfix;

namespace PortAudit.Cli.Commands;

/// <summary>
/// <c>portaudit collect</c>: an IPFIX and NetFlow v9 collector on UDP, whose flows are written as <c>portaudit
/// flows</c> writes them, or audited as <c>portaudit capture</c> audits live traffic.
/// </summary>
public static class CollectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("collect", "Receive IPFIX and NetFlow v9 exports on UDP, build flows, optionally audit them.");
        var listen = new Option<string>("--listen")
        {
            Description = "Where to receive exports: PORT (every address), ADDR:PORT or [ADDR]:PORT.",
            Required = true,
        };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (else at SIGINT or SIGTERM)." };
        var output = OutputOptions.ForFlows();
        var flowOptions = new CaptureOptions();
        var audit = new AuditOptions(required: false);
        command.Options.Add(listen);
        command.Options.Add(duration);
        output.AddTo(command);
        flowOptions.AddTo(command);
        audit.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            var audited = audit.Requested(parse) ? audit.Open(parse) : default((AuditContext, AuditSettings)?);
            using var signals = new StopSignals();
            using var source = IpfixCollectorSource.Open(parse.GetValue(listen)!, signals.Token);
            if (!quiet) Console.Error.WriteLine($"portaudit: collecting on udp {source.LocalEndPoint}");
            using var flows = audited is null || output.ToFile(parse) ? output.OpenFlowWriter(parse) : null;
            IFlowObserver[] consumers = flows is null ? [] : [new FlowRecordObserver(flows)];
            var tableOptions = flowOptions.Read(parse);
            using var auditRun = audited is { } a ? new AuditRun(a.Item1, a.Item2, tableOptions, consumers) : null;
            var run = auditRun?.Traffic ?? new TrafficRun(tableOptions, consumers);
            if (parse.GetValue(duration) is { } seconds) signals.CancelAfter(TimeSpan.FromSeconds(seconds));
            // The source holds the stop token: the flows received until then are still handed over.
            run.Read([source]);
            flows?.Complete();
            log.Information("{Datagrams} export datagrams received", source.Datagrams);
            return auditRun is null
                ? RunSummary.Report(log, run.Summary)
                : AuditOptions.Conclude(auditRun.Finish([source.Name]), quiet, log);
        }));
        return command;
    }
}
