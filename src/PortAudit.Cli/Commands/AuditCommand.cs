using System.CommandLine;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Audits;
using PortAudit.Sources.Files;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit audit</c>: every flow against the catalog and the inventory, with reports and an exit code for CI.</summary>
public static class AuditCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("audit", "Audit captured flows against the role catalog and a deployment inventory.");
        var captures = CaptureOptions.CapturesArgument();
        var audit = new AuditOptions(required: true);
        // The digest of each capture file takes a core while the file is read (ReadDigests).
        var flowOptions = new CaptureOptions(verdicts: true, besideDigest: true);
        var inputFormat = new InputOptions();
        var fromStore = new FromStoreOptions();
        var export = new ExportOptions();
        command.Arguments.Add(captures);
        audit.AddTo(command);
        flowOptions.AddTo(command);
        inputFormat.AddTo(command);
        fromStore.AddTo(command, captures);
        export.AddTo(command);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            // The digests of the files named start before the catalog and inventory load, on the cores that loading leaves
            // idle (files in a directory named start when read); what is wrong with a path is still said after the
            // catalog's and inventory's errors, as before.
            if (!fromStore.Requested(parse))
            {
                string[] named = parse.GetValue(captures) ?? [];
                ReadDigests.Begin(named);
            }
            var (context, settings) = audit.Open(parse, log);
            var sources = fromStore.Requested(parse) ? fromStore.Sources(parse, flowOptions.Window(parse))
                : inputFormat.Sources(parse, CaptureOptions.InputPaths(parse, captures, log));
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            // Before any output is opened: a signal from then on ends the run through it, which removes what is half
            // written; one before, while the catalog, inventory and rulesets load, ends the process at once (143).
            using var stop = new StopSignals();
            using var exporter = export.Open(parse, verdicts: true, log);
            using var run = new AuditRun(context, exporter is null ? settings : settings with { JudgedFlowSinks = [exporter] }, flowOptions.Read(parse));
            var outcome = CaptureProgress.Run(run.Traffic, CaptureProgress.Wanted(quiet), sources, () => run.Run(sources, stop.Token, stop.Abandon), "writing reports");
            ExportOptions.Conclude(exporter, log, quiet);
            return AuditOptions.Conclude(outcome, quiet, log);
        }));
        return command;
    }
}
