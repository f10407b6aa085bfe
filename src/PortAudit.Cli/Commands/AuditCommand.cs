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
            var run = Pipeline.Read(session.WithServerPorts(flowOptions.Read(parse)), paths, session.Observer);
            int findings = session.Finish(string.Join(", ", paths.Select(Path.GetFileName)), parse.GetValue(GlobalOptions.Quiet));
            int readStatus = RunSummary.Report(log, run.Reader, run.Table);
            return readStatus != ExitCodes.Ok ? readStatus : findings;
        }));
        return command;
    }
}
