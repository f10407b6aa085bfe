using System.CommandLine;
using System.Text;
using PortAudit.Audit;
using PortAudit.Audit.Reports;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Report;
using PortAudit.Report.Html;

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
            Description = "Directory for report.html, report.json, report.md and flows.jsonl (created if needed).",
            DefaultValueFactory = _ => "portaudit-report",
        };
        var failOn = new Option<string>("--fail-on")
        {
            Description = "Finding kinds that make the exit code 1: unexpected, mismatch, blocked, missing, unmapped, or none.",
            DefaultValueFactory = _ => FailOn.Default,
        };
        var plotsDir = new Option<string?>("--plots") { Description = "Also write each plot of report.html as its own .svg file into this directory." };
        var flowOptions = new CaptureOptions();
        command.Arguments.Add(captures);
        foreach (var option in new Option[] { inventoryFile, catalogDir, outDir, failOn, plotsDir })
            command.Options.Add(option);
        flowOptions.AddTo(command);

        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var failKinds = FailOn.Parse(parse.GetValue(failOn)!);
            string catalogPath = CatalogDirectory.Resolve(parse.GetValue(catalogDir));
            var catalog = CatalogLoader.Load(catalogPath);
            var inventory = InventoryLoader.Load(parse.GetValue(inventoryFile)!, catalog);
            var context = AuditContext.Create(catalog, inventory);
            string directory = CreateDirectory(parse.GetValue(outDir)!);

            var paths = parse.GetValue(captures)!;
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            FlowAuditor auditor;
            (TrafficReader Reader, FlowTable Table) run;
            using (var flows = new AuditedFlowWriter(OutputStreams.Open(Path.Combine(directory, "flows.jsonl"))))
            {
                auditor = new FlowAuditor(context, flows);
                run = Pipeline.Read(flowOptions.Read(parse) with { ServerPorts = context.ServerPorts }, paths, CaptureProgress.Wanted(quiet), auditor);
                flows.Complete();
            }
            var report = auditor.Complete();
            WriteReports(directory, report, string.Join(", ", paths.Select(Path.GetFileName)));
            var stats = run.Reader.Statistics;
            var html = HtmlReport.Build(report, new AuditRun(paths, stats.FirstNs, stats.LastNs, parse.GetValue(inventoryFile)!, Shown(catalogPath), context));
            html.Write(directory);
            if (parse.GetValue(plotsDir) is { } plots)
                log.Information("{Count} plots written to {Directory}", html.WritePlots(CreateDirectory(plots)).Count, plots);
            if (!quiet)
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

    /// <summary>The catalog as the report names it: relative to the working directory when below it, so reports do not carry machine paths.</summary>
    private static string Shown(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
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
