using System.CommandLine;
using PortAudit.Report.Listings;
using PortAudit.Sources.Live;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit interfaces</c>: what <c>portaudit capture --interface</c> can open.</summary>
public static class InterfacesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("interfaces", "List the interfaces available for live capture, with addresses and flags.");
        var format = OutputOptions.FormatOption(InterfaceListWriter.Formats, "table");
        command.Options.Add(format);
        command.SetAction(parse => CommandRunner.Run(parse, _ =>
        {
            using var output = Console.OpenStandardOutput();
            InterfaceListWriter.Write(output, parse.GetValue(format)!, CaptureDevices.List(), ConsoleTables.For(toStandardOutput: true));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
