using System.CommandLine;
using PortAudit.Cli.Commands;
using PortAudit.Cli.Strict;

namespace PortAudit.Cli;

/// <summary>The whole command tree, built in one place so that tests parse exactly what the program parses.</summary>
public static class PortAuditCommand
{
    /// <summary>Builds the root command with every subcommand, made strict (<see cref="StrictOptions"/>).</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("PortAudit: audits captured traffic against the port requirements of vendor documents.");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(FlowsCommand.Create());
        root.Subcommands.Add(CatalogCommand.Create());
        root.Subcommands.Add(RpcCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(SuggestRolesCommand.Create());
        root.Subcommands.Add(LearnCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        root.Subcommands.Add(InterfacesCommand.Create());
        root.Subcommands.Add(CaptureCommand.Create());
        root.Subcommands.Add(CollectCommand.Create());
        root.Subcommands.Add(PolicyCommand.Create());
        root.Subcommands.Add(StoreCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create(root));
        StrictOptions.Apply(root);
        return root;
    }
}
