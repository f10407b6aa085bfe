using System.CommandLine;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit audit</c>: every flow against the catalog and the inventory, with reports and an exit code for CI.</summary>
public static class AuditCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("audit", "Audit captured flows against the role catalog and a deployment inventory.");
        var captures = CaptureOptions.CapturesArgument();
        var audit = new AuditOptions(required: true, shortAliases: true);
        var flowOptions = new CaptureOptions();
        command.Arguments.Add(captures);
        audit.AddTo(command);
        flowOptions.AddTo(command);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            using var session = audit.Open(parse);
            var paths = parse.GetValue(captures)!;
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            var run = Pipeline.Read(session.WithServerPorts(flowOptions.Read(parse)), paths, CaptureProgress.Wanted(quiet), session.Observer);
            int findings = session.Finish(paths, run.Reader.Statistics, quiet, log);
            int readStatus = RunSummary.Report(log, run.Reader, run.Table);
            return readStatus != ExitCodes.Ok ? readStatus : findings;
        }));
        return command;
    }
}
