using System.CommandLine;
using PortAudit.Cli;

namespace PortAudit.Tests.Cli;

/// <summary>
/// An exception no input check names is a fault of the tool: exit 70 with one line saying so, never 1, the code of
/// findings. System.CommandLine's own handler printed the stack and returned 1, so a script took an ASA log that crashed
/// the reader (an OverflowException) for an audit that found something.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
[Collection(StandardError.Name)]
public sealed class InternalErrorTests
{
    [Fact]
    public void AnExceptionNoCheckNamesExitsSeventyWithOneLineSayingItIsAFault()
    {
        var root = new RootCommand("test");
        GlobalOptions.AddTo(root);
        var crash = new Command("crash");
        crash.SetAction(parse => CommandRunner.Run(parse, _ => throw new InvalidOperationException("a case nobody checked")));
        root.Subcommands.Add(crash);
        var (exit, error) = StandardError.Capture(() => CommandRunner.Invoke(root, ["crash"]));

        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.Equal(70, exit);
        Assert.StartsWith("portaudit: internal error, a fault of portaudit rather than of the input: InvalidOperationException: a case nobody checked",
            error);
    }
}
