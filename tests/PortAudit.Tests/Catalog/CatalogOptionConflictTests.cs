using System.CommandLine;
using PortAudit.Cli;
using PortAudit.Cli.Commands;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Catalog;

/// <summary>
/// <c>catalog --check</c> and <c>--explain</c> print their own text: the listing's filters and JSON beside them are
/// refused, where they were taken and ignored.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
[Collection(StandardError.Name)]
public sealed class CatalogOptionConflictTests
{
    private static int Run(params string[] args)
    {
        var root = new RootCommand("test");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(CatalogCommand.Create(new StringWriter()));
        return CommandRunner.Invoke(root, ["catalog", "--catalog", SharedData.InRepository("rules"), .. args]);
    }

    [Theory]
    [InlineData("--explain 80 -f json", "--explain prints its own text: --format json applies to the rule listing")]
    [InlineData("--explain 80 --role nosuch", "--explain prints its own text: --role applies to the rule listing")]
    [InlineData("--check --port 80", "--check prints its own text: --port applies to the rule listing")]
    public void ListingOptionsBesideCheckOrExplainAreRefusedNotIgnored(string arguments, string message)
    {
        // They were taken and ignored: a script asking for JSON parsed a table, an unknown role went unnoticed.
        var (exit, error) = StandardError.Capture(() => Run(arguments.Split(' ')));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(message, error);
    }
}
