using System.CommandLine;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit flows</c>: one record per bidirectional flow.</summary>
public static class FlowsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("flows", "Read captures and write one record per flow.");
        command.SetAction(parse => CommandRunner.Run(parse, _ => ExitCodes.Ok));
        return command;
    }
}
