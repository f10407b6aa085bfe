using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Audit.Anomaly;
using PortAudit.Catalog;
using PortAudit.Pipeline.Learning;

namespace PortAudit.Cli.Commands;

/// <summary>
/// <c>portaudit learn</c>: fits the anomaly models of a period taken as normal, one per role pair (and port where the
/// data is enough), for <c>audit --model</c>. Fitting runs in the learning companion (docs/anomaly.md).
/// </summary>
public static class LearnCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("learn", "Learn what each role pair normally does from captures or flow records of a normal period, for audit --model.");
        var captures = CaptureOptions.CapturesArgument();
        var inventoryFile = new Option<string>("--inventory") { Description = "The deployment's inventory (YAML): audits with the model must use the same.", Required = true };
        var catalogDir = CatalogDirectory.CreateOption();
        var localRules = CatalogDirectory.CreateLocalRulesOption();
        var modelFile = new Option<string>("--model") { Description = "The model file to write (JSON).", Required = true };
        var margin = new Option<double>("--margin")
        {
            Description = $"Each model's threshold is this many times the {ModelFitter.ThresholdQuantile:P1} quantile of its training flows' scores: higher flags fewer flows.",
            DefaultValueFactory = _ => ModelFitter.DefaultMargin,
        };
        var flowOptions = new CaptureOptions();
        var inputFormat = new InputOptions();
        command.Arguments.Add(captures);
        foreach (var option in new Option[] { inventoryFile, catalogDir, localRules, modelFile, margin })
            command.Options.Add(option);
        flowOptions.AddTo(command);
        inputFormat.AddTo(command);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            string catalogPath = CatalogDirectory.Resolve(parse.GetValue(catalogDir));
            var catalog = CatalogDirectory.Load(catalogPath, parse, localRules);
            string inventoryPath = parse.GetValue(inventoryFile)!;
            var inventory = InventoryWarnings.Log(InventoryLoader.Load(inventoryPath, catalog), inventoryPath, log);
            var sources = inputFormat.Sources(parse, CaptureOptions.InputPaths(parse, captures, log));
            using var stop = new StopSignals();
            var outcome = ModelLearning.Learn(AuditContext.Create(catalog, inventory), sources, flowOptions.Read(parse), inventoryPath,
                catalogPath, parse.GetValue(localRules) ?? [], parse.GetValue(modelFile)!, new CompanionPcaFitter { Abandon = stop.Token }, parse.GetValue(margin), stop.Token);
            log.Information("{Models} models from {Flows} allowed flows written to {File}", outcome.Models.Models.Count,
                outcome.Models.Provenance.AllowedFlows, parse.GetValue(modelFile));
            return RunSummary.Report(log, outcome.Traffic);
        }));
        return command;
    }
}
