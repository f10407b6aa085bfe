using System.CommandLine;
using PortAudit.Audit.Triage;
using PortAudit.Report.Audits;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit diff A/report.json B/report.json</c>: findings new in B, resolved since A, and unchanged.</summary>
public static class DiffCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("diff", "Compare two audit reports (report.json) by finding id: new, resolved and unchanged findings.");
        var before = new Argument<string>("before") { Description = "The earlier report.json." };
        var after = new Argument<string>("after") { Description = "The later report.json." };
        var output = new OutputOptions(ReportDiffWriter.Formats, "table");
        var failOn = FailOn.CreateOption("new, unsuppressed findings");
        command.Arguments.Add(before);
        command.Arguments.Add(after);
        output.AddTo(command);
        command.Options.Add(failOn);

        command.SetAction(parse => CommandRunner.Run(parse, _ =>
        {
            var kinds = FailOn.Parse(parse.GetValue(failOn)!);
            var earlier = RecordedReportReader.Read(parse.GetValue(before)!);
            var later = RecordedReportReader.Read(parse.GetValue(after)!);
            var diff = ReportDiff.Of(earlier, later);
            using (var stream = output.OpenStream(parse))
                ReportDiffWriter.Write(stream, parse.GetValue(output.Format)!, earlier, later, diff, output.Tables(parse));
            return diff.CountFailing(kinds) > 0 ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return command;
    }
}
