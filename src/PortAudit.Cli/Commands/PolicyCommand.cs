using System.CommandLine;
using PortAudit.Cli.Strict;
using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Policy;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit policy emit</c>: the least-privilege firewall rules of a deployment, in a firewall's own language.</summary>
public static class PolicyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inventory = new Option<string>("--inventory") { Description = "The deployment's inventory (YAML).", Required = true };
        var catalogDir = CatalogDirectory.CreateOption();
        var localRules = CatalogDirectory.CreateLocalRulesOption();
        var observed = new Option<string?>("--observed")
        {
            Description = "An audit's output directory (or its report.json): only the rule instances it saw in use.",
        };
        var format = new Option<string>("--format") { Description = "nftables (or nft), iptables (IPv4 rules), ip6tables (IPv6 rules), asa or windows.", Required = true };
        // nft: nftables' own name for itself, as --firewall reads it.
        format.OneOf([.. PolicyEmitter.Formats], new Dictionary<string, string> { ["nft"] = "nftables" });
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };

        var emit = new Command("emit", "Emit least-privilege firewall rules for the deployment (catalog ∩ inventory), each commented with its catalog rule and seed row.");
        foreach (var option in new Option[] { inventory, catalogDir, localRules, observed, format, output })
            emit.Options.Add(option);
        emit.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var catalog = CatalogDirectory.Load(CatalogDirectory.Resolve(parse.GetValue(catalogDir)), parse, localRules);
            var context = AuditContext.Create(catalog,
                InventoryWarnings.Log(InventoryLoader.Load(parse.GetValue(inventory)!, catalog), parse.GetValue(inventory)!, log));
            var policy = LeastPrivilege.Plan(context, parse.GetValue(observed));
            log.Information("{Rules} allow rules for {Hosts} hosts", policy.Rules.Count, context.Inventory.Hosts.Count);
            foreach (var omitted in policy.Omitted)
                log.Warning("{Rule} {FromHost} -> {ToHost}: not emitted, {Reason}", omitted.CatalogRule, omitted.FromHost, omitted.ToHost, omitted.Reason);
            // Made whole before the output is opened: a failure on the way leaves the previous file as it was, where an
            // output opened first would be put in place, empty, as the failure closes it.
            string text = PolicyEmitter.Write(policy, parse.GetValue(format)!);
            using var stream = OutputStreams.Open(parse.GetValue(output));
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
            writer.Write(text);
            return ExitCodes.Ok;
        }));
        var command = new Command("policy", "Firewall policies: emit least-privilege rules for a deployment.");
        command.Subcommands.Add(emit);
        return command;
    }
}
