using System.CommandLine;
using System.Text;
using PortAudit.Audit;
using PortAudit.Audit.Reports;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Report;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit audit</c>: every flow against the catalog and the inventory, with reports and an exit code for CI.</summary>
public static class AuditCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("audit", "Audit captured flows against the role catalog and a deployment inventory.");
        var captures = CaptureOptions.CapturesArgument();
        var inventoryFile = new Option<string>("--inventory", "-i") { Description = "The deployment's inventory (YAML): hosts, roles, segments, features.", Required = true };
        var catalogDir = CatalogDirectory.CreateOption();
        var outDir = new Option<string>("--out", "-o")
        {
            Description = "Directory for report.json, report.md and flows.jsonl (created if needed).",
            DefaultValueFactory = _ => "portaudit-report",
        };
        var failOn = new Option<string>("--fail-on")
        {
            Description = "Finding kinds that make the exit code 1: unexpected, mismatch, blocked, missing, unmapped, or none.",
            DefaultValueFactory = _ => FailOn.Default,
        };
        var flowOptions = new CaptureOptions();
        command.Arguments.Add(captures);
        foreach (var option in new Option[] { inventoryFile, catalogDir, outDir, failOn })
            command.Options.Add(option);
        flowOptions.AddTo(command);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var failKinds = FailOn.Parse(parse.GetValue(failOn)!);
            var catalog = CatalogLoader.Load(CatalogDirectory.Resolve(parse.GetValue(catalogDir)));
            var inventory = InventoryLoader.Load(parse.GetValue(inventoryFile)!, catalog);
            var context = AuditContext.Create(catalog, inventory);
            string directory = CreateDirectory(parse.GetValue(outDir)!);

            var paths = parse.GetValue(captures)!;
            FlowAuditor auditor;
            (TrafficReader Reader, FlowTable Table) run;
            using (var flows = new AuditedFlowWriter(OutputStreams.Open(Path.Combine(directory, "flows.jsonl"))))
            {
                auditor = new FlowAuditor(context, flows);
                run = Pipeline.Read(flowOptions.Read(parse) with { ServerPorts = context.ServerPorts }, paths, auditor);
                flows.Complete();
            }
            var report = auditor.Complete();
            WriteReports(directory, report, string.Join(", ", paths.Select(Path.GetFileName)));
            if (!parse.GetValue(GlobalOptions.Quiet))
                AuditConsoleSummary.Write(Console.Out, report, directory);

            int readStatus = RunSummary.Report(log, run.Reader, run.Table);
            if (readStatus != ExitCodes.Ok)
                return readStatus;
            return report.CountFindings(failKinds) > 0 ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteReports(string directory, AuditReport report, string title)
    {
        using (var json = OutputStreams.Open(Path.Combine(directory, "report.json")))
            AuditJsonWriter.Write(json, report);
        using var markdown = new StreamWriter(OutputStreams.Open(Path.Combine(directory, "report.md")), new UTF8Encoding(false));
        AuditMarkdownWriter.Write(markdown, report, title);
    }

    private static string CreateDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot create the output directory: {ex.Message}", ex);
        }
    }
}
