using System.CommandLine;
using PortAudit.Cli;
using PortAudit.Cli.Commands;

HotPathWarmup.Start();
var root = new RootCommand("PortAudit: audits captured traffic against the port requirements of vendor documents.");
GlobalOptions.AddTo(root);
root.Subcommands.Add(FlowsCommand.Create());
root.Subcommands.Add(CatalogCommand.Create());
root.Subcommands.Add(RpcCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(SuggestRolesCommand.Create());
root.Subcommands.Add(DiffCommand.Create());
root.Subcommands.Add(InterfacesCommand.Create());
root.Subcommands.Add(CaptureCommand.Create());
root.Subcommands.Add(StoreCommand.Create());

return CommandRunner.Invoke(root, args);
