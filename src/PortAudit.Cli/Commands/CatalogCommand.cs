using System.CommandLine;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit catalog</c>: lists, explains and checks the role catalog.</summary>
public static class CatalogCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("catalog", "List, explain and check the role catalog (rules/).");
        command.SetAction(parse => CommandRunner.Run(parse, _ => ExitCodes.Ok));
        return command;
    }
}
