using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Listings;
using PortAudit.Sources;
using Serilog;

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
        var draftFile = new Option<string?>("--draft-inventory")
        {
            Description = "Write a draft inventory (YAML, evidence as comments, '# REVIEW' on uncertain entries) to FILE ('-': standard output) instead of the ranking.",
        };
        var mergeFile = new Option<string?>("--merge")
        {
            Description = "With --draft-inventory: start from this inventory and add only the hosts it lacks.",
        };
        var flowOptions = new CaptureOptions();
        command.Arguments.Add(captures);
        foreach (var option in new Option[] { inventoryFile, catalogDir, top, format, draftFile, mergeFile })
            command.Options.Add(option);
        flowOptions.AddTo(command);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var catalog = CatalogLoader.Load(CatalogDirectory.Resolve(parse.GetValue(catalogDir)));
            var inventory = parse.GetValue(inventoryFile) is { } path ? InventoryWarnings.Log(InventoryLoader.Load(path, catalog), path, log) : null;
            // A signal stops the read, which then throws (the runs abandon at once): suggestions or a draft from part of the
            // input are not written (exit 130).
            using var stop = new StopSignals();
            if (parse.GetValue(draftFile) is { } draftPath)
                return Draft(parse, log, catalog, inventory, draftPath, parse.GetValue(mergeFile), CaptureOptions.OpenSources(parse, captures, log), flowOptions, stop);
            if (parse.GetValue(mergeFile) is not null)
                throw new InputException("--merge needs --draft-inventory");
            var (hosts, traffic) = RoleSuggestionRun.Suggest(
                CaptureOptions.OpenSources(parse, captures, log), catalog, inventory, flowOptions.Read(parse), parse.GetValue(top), stop.Token);
            return RunSummary.ReportThenWrite(log, traffic, null, () =>
            {
                if (parse.GetValue(format) == "json")
                {
                    using var stdout = Console.OpenStandardOutput();
                    RoleSuggestionWriter.WriteJson(stdout, hosts);
                }
                else
                {
                    RoleSuggestionWriter.WriteText(Console.Out, hosts);
                }
            });
        }));
        return command;
    }

    // Drafts the inventory; --merge's inventory also leaves its hosts out of the draft, as --inventory does.
    private static int Draft(ParseResult parse, ILogger log, RoleCatalog catalog, Inventory? known, string path, string? mergePath,
        IReadOnlyList<IFlowSource> sources, CaptureOptions flowOptions, StopSignals stop)
    {
        var merge = mergePath is null ? null : InventoryLoader.Load(mergePath, catalog);
        var (draft, traffic) = InventoryDraftRun.Draft(sources, catalog, merge ?? known, flowOptions.Read(parse), cancel: stop.Token);
        return RunSummary.ReportThenWrite(log, traffic, path, () =>
        {
            using (var stream = OutputStreams.Open(path))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
                DraftInventoryWriter.Write(writer, draft, merge);
            if (path != "-")
                Console.Out.WriteLine($"{path}: {draft.Hosts.Count} drafted entries, {draft.Hosts.Count(h => h.NeedsReview)} marked REVIEW");
        });
    }
}
