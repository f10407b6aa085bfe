using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Pipeline;
using PortAudit.Report.Audits;
using PortAudit.Report.Plot;
using Serilog;

namespace PortAudit.Cli;

/// <summary>
/// The audit options (--inventory, --catalog, --out, --fail-on, --suppress, --baseline) that every auditing command shares:
/// <c>portaudit audit</c> over files and <c>portaudit capture</c> live.
/// </summary>
public sealed class AuditOptions
{
    private readonly Option<string?> _inventory;
    private readonly Option<string?> _catalog = CatalogDirectory.CreateOption();
    private readonly Option<string[]> _localRules = CatalogDirectory.CreateLocalRulesOption();
    private readonly Option<string> _out;

    private readonly Option<bool> _parquet = new("--parquet")
    {
        Description = $"Also write {AuditReportFiles.FlowsParquet} and {AuditReportFiles.FindingsParquet} into --out, for DuckDB, Spark or pandas (docs/store.md).",
    };
    private readonly Option<string?> _plots = new("--plots")
    {
        Description = $"Also draw each plot of {AuditReportFiles.Html} as a PNG and an SVG picture into this directory (created if needed); {AuditReportFiles.Markdown} shows the PNGs.",
    };

    private readonly Option<string> _minimumSpan = new("--min-span")
    {
        Description = "Shortest capture in which a required periodic flow never seen is a 'missing' finding; in shorter ones, where " +
                      "its ends never talked across the capture point, or for flows made on demand, it is 'not-exercised'. " +
                      "Seconds, or with s, m, h or d.",
        DefaultValueFactory = _ => "1h",
    };

    private readonly Option<string> _failOn = FailOn.CreateOption("new, unsuppressed findings");

    private readonly Option<string?> _suppress = new("--suppress")
    {
        Description = "Suppression file (YAML): accepted findings, each with a justification, an owner and an expiry date.",
    };

    private readonly Option<string?> _baseline = new("--baseline")
    {
        Description = "An earlier report.json: findings also in it are unchanged, the exit code counts only new ones.",
    };

    private readonly Option<string?> _model = new("--model")
    {
        Description = "Anomaly models from 'portaudit learn' (same inventory): flows a rule allows but that depart from their role pair's normal are 'anomalous' findings.",
    };

    private readonly Option<string[]> _firewall = new("--firewall")
    {
        Description = "A firewall's policy to compare with the catalog and the traffic: [NAME=]FILE[:FORMAT], repeatable. FORMAT: " +
                      "nft-json, nft, iptables, asa, windows-json, netsh (guessed when left out). NAME (default the file name) " +
                      "naming an inventory host makes it that host's own firewall. An iptables file may hold ipset save's lines " +
                      "too ({ ipset save; iptables-save; } > FILE), so that its set matches are decided.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// Creates the options. <paramref name="required"/>: the command is an audit and needs an inventory;
    /// otherwise the audit is an addition that --inventory turns on. Neither has a short form: <c>-i</c> is
    /// --interface and <c>-o</c> is --output (a file) in every command.
    /// </summary>
    public AuditOptions(bool required)
    {
        _inventory = new("--inventory")
        {
            Description = "The deployment's inventory (YAML): hosts, roles, segments, features.",
            Required = required,
        };
        _out = new("--out");
        _out.Description = $"Directory for {AuditReportFiles.Html}, {AuditReportFiles.Json}, {AuditReportFiles.Markdown} and {AuditReportFiles.Flows} (created if needed).";
        _out.DefaultValueFactory = _ => "portaudit-report";
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _minimumSpan.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !DurationText.TryParse(r.Tokens[0].Value, out _))
                r.AddError("--min-span: expected seconds, or a number followed by s, m or h (e.g. 90m)");
        });
        foreach (var option in new Option[] { _inventory, _catalog, _localRules, _out, _failOn, _minimumSpan, _suppress, _baseline, _plots, _parquet, _firewall, _model })
            command.Options.Add(option);
    }

    /// <summary>True when an inventory was given, so the command audits.</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(_inventory) is not null;

    /// <summary>Loads catalog and inventory, logs the inventory's warnings and reads the output settings; creates nothing yet.</summary>
    /// <exception cref="InputException">A bad option, catalog or inventory.</exception>
    public (AuditContext Context, AuditSettings Settings) Open(ParseResult parse, ILogger log)
    {
        var failKinds = FailOn.Parse(parse.GetValue(_failOn)!);
        string catalogPath = CatalogDirectory.Resolve(parse.GetValue(_catalog));
        var catalog = CatalogDirectory.Load(catalogPath, parse, _localRules);
        string inventoryPath = parse.GetValue(_inventory)!;
        var inventory = InventoryWarnings.Log(InventoryLoader.Load(inventoryPath, catalog), inventoryPath, log);
        var settings = new AuditSettings
        {
            OutputDirectory = parse.GetValue(_out)!,
            PlotsDirectory = parse.GetValue(_plots),
            Parquet = parse.GetValue(_parquet),
            FailOn = failKinds,
            MinimumSpan = DurationText.TryParse(parse.GetValue(_minimumSpan)!, out var span) ? span : CaptureVisibility.DefaultMinimumSpan,
            InventoryName = inventoryPath,
            CatalogName = Shown(catalogPath),
            LocalRules = parse.GetValue(_localRules) ?? [],
            SuppressionsPath = parse.GetValue(_suppress),
            BaselinePath = parse.GetValue(_baseline),
            Firewalls = (parse.GetValue(_firewall) ?? []).Select(Policy.PolicyLoader.LoadSpec).ToList(),
            Model = parse.GetValue(_model) is { } model ? (Pipeline.Learning.ModelLearning.Load(model, inventoryPath), model) : null,
        };
        if (settings.Model is var (models, modelPath) && Pipeline.Learning.ModelLearning.SiteRulesDiffer(models, modelPath, settings.LocalRules) is { } differ)
            log.Warning("{Problem}", differ);
        return (AuditContext.Create(catalog, inventory), settings);
    }

    /// <summary>
    /// What every auditing command does at the end: prints the summary (unless <paramref name="quiet"/>), logs the plot
    /// files, expired suppressions and the read's counters, and returns the exit code: 2 for a bad input, 1 for new,
    /// unsuppressed findings of a --fail-on kind; <paramref name="live"/> as <see cref="RunSummary.Report"/> takes it.
    /// </summary>
    public static int Conclude(AuditOutcome outcome, bool quiet, ILogger log, bool live = false)
    {
        foreach (var entry in outcome.Report.Triage.Expired)
            log.Warning("Suppression {Entry} expired on {Expires} and suppresses nothing: {Match}", entry.Source, TriageText.Date(entry.Expires), entry.Describe());
        if (!quiet) AuditConsoleSummary.Write(Console.Out, outcome.Report, outcome.OutputDirectory);
        if (outcome.PlotFiles.Count > 0)
        {
            log.Information("{Count} plot pictures (PNG and SVG) written to {Directory}", outcome.PlotFiles.Count, Path.GetDirectoryName(outcome.PlotFiles[0]));
            if (PlotFont.Current.Warning is { } font) log.Warning("Plot pictures: {Problem}", font);
        }
        int readStatus = RunSummary.Report(log, outcome.Traffic, live);
        return readStatus != ExitCodes.Ok ? readStatus
            : outcome.Report.Incomplete.Contains(IncompleteReason.Interrupted) ? ExitCodes.Interrupted
            : outcome.FailingFindings > 0 ? ExitCodes.Findings
            : ExitCodes.Ok;
    }

    /// <summary>The catalog as the report names it: relative to the working directory when below it, so reports do not carry machine paths.</summary>
    private static string Shown(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
