using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;
using PortAudit.Sources.Records.Ipfix;

namespace PortAudit.Cli.Commands;

/// <summary>
/// <c>portaudit collect</c>: an IPFIX and NetFlow v9/v5 collector on UDP, whose flows are written as <c>portaudit
/// flows</c> writes them, or audited as <c>portaudit capture</c> audits live traffic.
/// </summary>
public static class CollectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("collect", "Receive IPFIX and NetFlow v9/v5 exports on UDP, build flows, optionally audit them.");
        var listen = new Option<string>("--listen")
        {
            Description = "Where to receive exports: PORT (every address), ADDR:PORT or [ADDR]:PORT.",
            Required = true,
        };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (else at SIGINT or SIGTERM)." };
        var gathering = new GatheringOptionSet(filters: true);
        command.Options.Add(listen);
        command.Options.Add(duration);
        gathering.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            var audited = gathering.OpenAudit(parse, log);
            using var signals = new StopSignals();
            using var source = IpfixCollectorSource.Open(parse.GetValue(listen)!, signals.Token);
            if (!quiet) TerminalText.Error($"portaudit: collecting on udp {source.LocalEndPoint}");
            using var outputs = gathering.Open(parse, audited, source.Name, log);
            if (parse.GetValue(duration) is { } seconds) signals.CancelAfter(TimeSpan.FromSeconds(seconds));
            // The source holds the stop token: the flows received until then are still handed over.
            outputs.Run.Read([source]);
            outputs.Complete(log, quiet);
            log.Information("{Datagrams} export datagrams received", source.Datagrams);
            return outputs.Report(source.Name, log, quiet, signals.Abandon);
        }));
        return command;
    }
}
