using System.CommandLine;
using System.Text;
using PortAudit.Audit;
using PortAudit.Audit.Reports;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Report;
using PortAudit.Report.Html;
using Serilog;

namespace PortAudit.Cli;

/// <summary>
/// The audit options (--inventory, --catalog, --out, --fail-on) that every auditing command shares:
/// <c>portaudit audit</c> over files and <c>portaudit capture</c> live.
/// </summary>
public sealed class AuditOptions
{
    private readonly Option<string?> _inventory;
    private readonly Option<string?> _catalog = CatalogDirectory.CreateOption();
    private readonly Option<string> _out;

    private readonly Option<string?> _plots = new("--plots")
    {
        Description = "Also write each plot of report.html as its own .svg file into this directory.",
    };

    private readonly Option<string> _failOn = new("--fail-on")
    {
        Description = "Finding kinds that make the exit code 1: unexpected, mismatch, blocked, missing, unmapped, or none.",
        DefaultValueFactory = _ => FailOn.Default,
    };

    /// <summary>
    /// Creates the options. <paramref name="required"/>: the command is an audit and needs an inventory;
    /// otherwise the audit is an addition that --inventory turns on. <paramref name="shortAliases"/> adds
    /// <c>-i</c> and <c>-o</c>, which only commands without their own <c>-i</c> and <c>-o</c> can have.
    /// </summary>
    public AuditOptions(bool required, bool shortAliases)
    {
        _inventory = shortAliases ? new("--inventory", "-i") : new("--inventory");
        _inventory.Description = "The deployment's inventory (YAML): hosts, roles, segments, features.";
        _inventory.Required = required;
        _out = shortAliases ? new("--out", "-o") : new("--out");
        _out.Description = "Directory for report.html, report.json, report.md and flows.jsonl (created if needed).";
        _out.DefaultValueFactory = _ => "portaudit-report";
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _inventory, _catalog, _out, _failOn, _plots })
            command.Options.Add(option);
    }

    /// <summary>True when an inventory was given, so the command audits.</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(_inventory) is not null;

    /// <summary>Loads catalog and inventory, creates the output directory and opens flows.jsonl.</summary>
    /// <exception cref="InputException">A bad option, catalog or inventory, or an unwritable directory.</exception>
    public AuditSession Open(ParseResult parse)
    {
        // Parsed first so that a typo in --fail-on stops before any file is created.
        var failKinds = FailOn.Parse(parse.GetValue(_failOn)!);
        string catalogPath = CatalogDirectory.Resolve(parse.GetValue(_catalog));
        var catalog = CatalogLoader.Load(catalogPath);
        string inventoryPath = parse.GetValue(_inventory)!;
        var inventory = InventoryLoader.Load(inventoryPath, catalog);
        var sources = new AuditSources(inventoryPath, Shown(catalogPath), parse.GetValue(_plots));
        return new AuditSession(AuditContext.Create(catalog, inventory), parse.GetValue(_out)!, failKinds, sources);
    }

    /// <summary>The catalog as the report names it: relative to the working directory when below it, so reports do not carry machine paths.</summary>
    private static string Shown(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}

/// <summary>
/// One audit from the first flow to the reports: the flow-table observer that judges flows, flows.jsonl
/// written as they end, and report.json, report.md and the console summary at the end.
/// </summary>
public sealed class AuditSession : IDisposable
{
    private readonly AuditContext _context;
    private readonly AuditSources _sources;
    private readonly string _directory;
    private readonly IReadOnlyList<FindingKind> _failKinds;
    private readonly AuditedFlowWriter _flows;
    private readonly FlowAuditor _auditor;
    private bool _finished;

    internal AuditSession(AuditContext context, string directory, IReadOnlyList<FindingKind> failKinds, AuditSources sources)
    {
        _context = context;
        _sources = sources;
        _directory = CreateDirectory(directory);
        _failKinds = failKinds;
        _flows = new AuditedFlowWriter(OutputStreams.Open(Path.Combine(_directory, "flows.jsonl")));
        _auditor = new FlowAuditor(context, _flows);
    }

    /// <summary>The stage to hand the flow table, after the enrichment stages (see <see cref="Pipeline"/>).</summary>
    public IFlowObserver Observer => _auditor;

    /// <summary>The flow table's options with the catalog's server ports, so flows seen mid-stream get the right server.</summary>
    public FlowTableOptions WithServerPorts(FlowTableOptions options) => options with { ServerPorts = _context.ServerPorts };

    /// <summary>
    /// Call once every flow has ended (the table flushed): writes report.json, report.md, report.html (and the plots
    /// when --plots was given), prints the summary unless <paramref name="quiet"/>, and returns
    /// <see cref="ExitCodes.Findings"/> when a --fail-on kind was found. <paramref name="inputs"/> names what was
    /// audited (captures or interfaces); <paramref name="traffic"/> gives the time span.
    /// </summary>
    public int Finish(IReadOnlyList<string> inputs, TrafficStatistics traffic, bool quiet, ILogger log)
    {
        _flows.Complete();
        _flows.Dispose();
        _finished = true;
        var report = _auditor.Complete();
        using (var json = OutputStreams.Open(Path.Combine(_directory, "report.json")))
            AuditJsonWriter.Write(json, report);
        using (var markdown = new StreamWriter(OutputStreams.Open(Path.Combine(_directory, "report.md")), new UTF8Encoding(false)))
            AuditMarkdownWriter.Write(markdown, report, string.Join(", ", inputs.Select(Path.GetFileName)));
        var html = HtmlReport.Build(report,
            new AuditRun(inputs, traffic.FirstNs, traffic.LastNs, _sources.Inventory, _sources.Catalog, _context));
        html.Write(_directory);
        if (_sources.Plots is { } plots)
            log.Information("{Count} plots written to {Directory}", html.WritePlots(CreateDirectory(plots)).Count, plots);
        if (!quiet)
            AuditConsoleSummary.Write(Console.Out, report, _directory);
        return report.CountFindings(_failKinds) > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }

    /// <summary>Closes flows.jsonl when the run ended before <see cref="Finish"/>.</summary>
    public void Dispose()
    {
        if (!_finished) _flows.Dispose();
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

/// <summary>What the HTML report names as the audit's sources, and where --plots writes.</summary>
internal sealed record AuditSources(string Inventory, string Catalog, string? Plots);
