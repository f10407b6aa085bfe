using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Capture;
using PortAudit.Pipeline;
using PortAudit.Report.Listings;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit suggest-roles</c>: catalog roles for the hosts an inventory does not name yet, from what they served.</summary>
public static class SuggestRolesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("suggest-roles", "Suggest catalog roles for hosts not in the inventory, from the ports and protocols they served.");
        var captures = CaptureOptions.CapturesArgument();
        var inventoryFile = new Option<string?>("--inventory") { Description = "Hosts already in this inventory are left out." };
        var catalogDir = CatalogDirectory.CreateOption();
        var top = new Option<int>("--top") { Description = "Roles suggested per host.", DefaultValueFactory = _ => 3 };
        var format = OutputOptions.FormatOption(["table", "json"], "table");
        var flowOptions = new CaptureOptions();
        command.Arguments.Add(captures);
        foreach (var option in new Option[] { inventoryFile, catalogDir, top, format })
            command.Options.Add(option);
        flowOptions.AddTo(command);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var catalog = CatalogLoader.Load(CatalogDirectory.Resolve(parse.GetValue(catalogDir)));
            var inventory = parse.GetValue(inventoryFile) is { } path ? InventoryLoader.Load(path, catalog) : null;
            var (hosts, traffic) = RoleSuggestionRun.Suggest(
                CaptureOptions.OpenSources(parse, captures, log), catalog, inventory, flowOptions.Read(parse), parse.GetValue(top));
            if (parse.GetValue(format) == "json")
            {
                using var stdout = Console.OpenStandardOutput();
                RoleSuggestionWriter.WriteJson(stdout, hosts);
            }
            else
            {
                RoleSuggestionWriter.WriteText(Console.Out, hosts);
            }
            return RunSummary.Report(log, traffic);
        }));
        return command;
    }
}
