using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Audit.Triage;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Report;
using PortAudit.Report.Audits;
using PortAudit.Report.Records;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;

using PortAudit.Pipeline.Filter;

namespace PortAudit.Pipeline;

/// <summary>
/// One audit from sources to reports, the same for files, standard input, live interfaces and flow records: every
/// flow judged against the catalog and the inventory as it ends and written to flows.jsonl, then report.json,
/// report.md and report.html. The catalog's server ports reach the flow table, so that flows seen mid-stream get the
/// right server.
/// </summary>
public sealed class AuditRun : IDisposable
{
    private readonly AuditContext _context;
    private readonly AuditSettings _settings;
    private readonly OutputSet _output;
    private readonly AuditedFlowWriter _flows;
    // flows.parquet and the uids it shares with findings.parquet; null without --parquet.
    private readonly AuditedParquetWriter? _parquet;
    private readonly FlowUids? _uids;
    private readonly FlowAuditor _auditor;
    private readonly FlowTableOptions _flowOptions;
    private readonly TriageInputs _triage;
    private bool _finished;

    /// <summary>
    /// Prepares the audit: creates the output directory and opens flows.jsonl. <paramref name="consumers"/> receive
    /// every ended flow too, before the audit (a plain flow-record writer, for instance).
    /// </summary>
    /// <exception cref="InputException">
    /// The suppression file or the baseline cannot be used (checked first, before anything is created), or the output
    /// directory or flows.jsonl cannot be created.
    /// </exception>
    public AuditRun(AuditContext context, AuditSettings settings, FlowTableOptions flowOptions, params IFlowObserver[] consumers)
    {
        _context = context;
        _settings = settings;
        if (flowOptions.Selection is FlowFilter filter) CheckRoles(filter, context.Catalog);
        _triage = TriageInputs.Load(settings.SuppressionsPath, settings.BaselinePath, context.Catalog);
        string directory = AuditReportFiles.CreateDirectory(settings.OutputDirectory);
        _output = new OutputSet(directory);
        _flows = new AuditedFlowWriter(_output.Create(AuditReportFiles.Flows));
        if (settings.Parquet)
        {
            _uids = new FlowUids();
            _parquet = new AuditedParquetWriter(_output.Create(AuditReportFiles.FlowsParquet), _uids);
        }
        IAuditedFlowSink[] after = _parquet is null ? [.. settings.JudgedFlowSinks] : [_parquet, .. settings.JudgedFlowSinks];
        IAuditedFlowSink judged = after.Length == 0 ? _flows : new AuditedFlowFanOut([_flows, .. after]);
        IAuditedFlowSink written = flowOptions.Selection is FlowFilter { AsksTheAudit: true } judging ? new JudgedFilterSink(judged, judging) : judged;
        _auditor = new FlowAuditor(context, written, minimumSpan: settings.MinimumSpan,
            firewalls: settings.Firewalls.Count == 0 ? null : new Audit.Firewall.FirewallAudit(settings.Firewalls, context.Inventory),
            anomalies: settings.Model is { } model ? new Audit.Anomaly.AnomalyJudge(model.Models, new Audit.Anomaly.FlowRhythm()) : null);
        _flowOptions = flowOptions;
        // Only with models does the run read every packet for the flows' rhythm; without, it stays as fast as before.
        IFlowObserver[] rhythm = _auditor.Anomalies is { } judge ? [judge.Rhythms] : [];
        Traffic = new TrafficRun(flowOptions with { ServerPorts = context.ServerPorts }, [.. consumers, .. rhythm, _auditor]);
    }

    // A role the catalog does not know would match no flow and make the filter an empty one without a word.
    private static void CheckRoles(FlowFilter filter, RoleCatalog catalog)
    {
        var known = catalog.Roles.Select(r => r.Id).ToArray();
        foreach (string role in filter.Roles)
            if (!known.Contains(role, StringComparer.Ordinal))
                throw new InputException($"--filter: role '{role}' is not in the catalog{Spelling.Suggestion(role, known)}");
    }

    /// <summary>The read underneath: progress, counters, endpoint-mapper answers.</summary>
    public TrafficRun Traffic { get; }

    /// <summary>
    /// Reads <paramref name="sources"/>, then writes the reports. Inputs that fail are in
    /// <see cref="AuditOutcome.Traffic"/>; the reports cover everything read.
    /// </summary>
    /// <remarks>
    /// When <paramref name="cancel"/> fires (a signal), reading stops and the reports of what was read are still written,
    /// marked incomplete (report.json <c>complete: false</c>). When <paramref name="abandon"/> fires, the analysis and the
    /// reports stop where they are (<see cref="Finish"/>).
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="abandon"/> fired before the reports were in place.</exception>
    public AuditOutcome Run(IReadOnlyList<IFlowSource> sources, CancellationToken cancel = default, CancellationToken abandon = default)
    {
        // The provenance names each capture's digest: taken while the file is read, it costs no second pass after the run.
        foreach (var source in sources)
        {
            if (source is CaptureFileSource capture) capture.HashWhileReading = true;
            else if (source is RecordFileSource file) file.HashWhileReading = true;
        }
        _auditor.Abandon = abandon;
        Traffic.Read(sources, cancel, abandon);
        return Finish(sources.Select(s => s.Name).ToList(), complete: !cancel.IsCancellationRequested, abandon);
    }

    /// <summary>
    /// Writes the reports once every flow has ended (after <see cref="TrafficRun.Read"/>). <paramref name="inputs"/>
    /// names what was audited. Call once.
    /// </summary>
    /// <remarks>
    /// When <paramref name="abandon"/> fires, the policy analysis and the report writing stop at their next rule or write;
    /// nothing of the new set is put in place (<see cref="Dispose"/> removes it) and the previous set stays whole.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="abandon"/> fired before the reports were in place.</exception>
    public AuditOutcome Finish(IReadOnlyList<string> inputs, bool complete = true, CancellationToken abandon = default)
    {
        _finished = true;
        _flows.Complete();
        _flows.Dispose();
        _parquet?.Dispose();
        var completed = _auditor.Complete(abandon);
        var today = _settings.Today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var summary = Traffic.Summary;
        List<IncompleteReason> incomplete = [];
        if (!complete) incomplete.Add(IncompleteReason.Interrupted);
        if (summary.Errors.Any(e => e is not StoreException)) incomplete.Add(IncompleteReason.DamagedInput);
        if (summary.Errors.Any(e => e is StoreException)) incomplete.Add(IncompleteReason.StoreFailure);
        var records = new RecordCounts(summary.Records.Read, summary.Records.Rejected);
        if (records.TooManyRejected) incomplete.Add(IncompleteReason.RecordsRejected);
        if (summary.Traffic.Dropped > 0) incomplete.Add(IncompleteReason.PacketsDropped);
        var report = completed with
        {
            Triage = FindingTriage.Apply(completed.Findings, _triage, HostPrefixesOf(_context.Inventory), today),
            Incomplete = incomplete,
            Records = records,
            Packets = PacketCounts.Of(summary.Traffic),
        };
        // Flow records carry no packets: the time they cover is their flows', which report.json's capture gives too;
        // beside packets, the packets' span alone would leave the records' out of the provenance.
        var traffic = summary.Traffic;
        var (firstNs, lastNs, coveredNs) = traffic.LastNs > 0 && summary.Records.Read == 0
            ? (traffic.FirstNs, traffic.LastNs, traffic.CoveredNs)
            : (report.Capture.FirstNs, report.Capture.LastNs, report.Capture.CoveredNs ?? report.Capture.LastNs - report.Capture.FirstNs);
        var described = new AuditInputs(inputs, firstNs, lastNs, _settings.InventoryName, _settings.CatalogName, _context)
        {
            Provenance = new AuditProvenance(Digests.ToolVersion, inputs.Select(Digests.OfInput).ToList(),
                Digests.OfInput(_settings.InventoryName), Digests.OfCatalog(_settings.CatalogName, _settings.CatalogName),
                _flowOptions, _settings.FailOn, firstNs, lastNs)
            {
                MinimumSpan = _settings.MinimumSpan,
                CoveredNs = coveredNs,
                Suppressions = _settings.SuppressionsPath is { } suppressions ? Digests.OfInput(suppressions) : null,
                Baseline = _settings.BaselinePath is { } baseline ? Digests.OfInput(baseline) : null,
                LocalRules = _settings.LocalRules.Select(Digests.OfInput).ToList(),
                Model = _settings.Model is { } model ? Digests.OfInput(model.Path) : null,
            },
        };
        var plots = AuditReportFiles.Write(_output, report, described, _settings.PlotsDirectory, abandon, _uids);
        abandon.ThrowIfCancellationRequested();
        _output.Commit();
        return new AuditOutcome(report, summary, _settings.OutputDirectory, plots, report.CountFailing(_settings.FailOn));
    }

    private static HostPrefixes HostPrefixesOf(Inventory inventory)
    {
        var byName = inventory.Hosts.GroupBy(h => h.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Prefixes, StringComparer.Ordinal);
        return name => byName.GetValueOrDefault(name) ?? [];
    }

    /// <summary>
    /// Closes flows.jsonl when the run ended before <see cref="Finish"/>, and removes whatever of the new set was not put
    /// in place: the previous set stays whole.
    /// </summary>
    public void Dispose()
    {
        if (!_finished)
        {
            try
            {
                _flows.Dispose();
                _parquet?.Dispose();
            }
            catch (InputException)
            {
                // The run is failing already; the partial file is removed below.
            }
        }
        _output.Dispose();
    }
}
