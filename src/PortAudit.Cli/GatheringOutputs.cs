using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Ipfix;
using PortAudit.Report.Records;
using PortAudit.Store;
using Serilog;

namespace PortAudit.Cli;

/// <summary>
/// Where the flows of a command that gathers them as they come (capture, collect) go: flow records to a file or
/// standard output, the flow store with --store, and an audit with --inventory; and the run that feeds them.
/// With an audit, standard output carries its summary and DIR/flows.jsonl the flows, and with --store the store is the
/// output: plain flow records then go only to a file.
/// </summary>
internal sealed class GatheringOutputs : IDisposable
{
    private readonly IFlowRecordWriter? _flows;
    private readonly IStoreWriter? _stored;
    private readonly IpfixExporter? _exported;
    private readonly AuditRun? _audit;

    private GatheringOutputs(IFlowRecordWriter? flows, IStoreWriter? stored, IpfixExporter? exported, AuditRun? audit, TrafficRun run)
    {
        _flows = flows;
        _stored = stored;
        _exported = exported;
        _audit = audit;
        Run = run;
    }

    /// <summary>The run to read the source with.</summary>
    public TrafficRun Run { get; }

    /// <summary>Opens the outputs for a source named <paramref name="source"/>; <paramref name="audited"/> is the opened audit, if asked.</summary>
    public static GatheringOutputs Open(ParseResult parse, (AuditContext Context, AuditSettings Settings)? audited, OutputOptions output,
        StoreOptions store, ExportOptions export, CaptureOptions flowOptions, string source, ILogger log)
    {
        var flows = (audited is null && !store.Requested(parse)) || output.ToFile(parse) ? output.OpenFlowWriter(parse) : null;
        var stored = store.Open(parse, [source], log);
        // With an audit the exporter takes judged flows (its records carry the verdict); without, every ended flow.
        var exported = export.Open(parse, verdicts: audited is not null, log);
        IFlowObserver[] consumers = [.. flows is null ? [] : new IFlowObserver[] { new FlowRecordObserver(flows) }, .. stored is null ? [] : new IFlowObserver[] { stored },
            .. exported is null || audited is not null ? [] : new IFlowObserver[] { exported }];
        var tableOptions = flowOptions.Read(parse);
        var audit = audited is { } a
            ? new AuditRun(a.Context, exported is null ? a.Settings : a.Settings with { JudgedFlowSinks = [exported] }, tableOptions, consumers)
            : null;
        return new GatheringOutputs(flows, stored, exported, audit, audit?.Traffic ?? new TrafficRun(tableOptions, consumers));
    }

    /// <summary>Completes the flow records, the store and the IPFIX export once the read has ended.</summary>
    public void Complete(ILogger log, bool quiet)
    {
        _flows?.Complete();
        StoreOptions.Conclude(_stored, log, quiet);
        ExportOptions.Conclude(_exported, log, quiet);
    }

    /// <summary>
    /// The audit's reports and summary when there is an audit (written after an error too: the audit of what was
    /// gathered is the point of an interrupted run), else the run's summary. Returns the exit code.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="abandon"/> fired before the reports were in place.</exception>
    public int Report(string source, ILogger log, bool quiet, CancellationToken abandon) =>
        _audit is null ? RunSummary.Report(log, Run.Summary, live: true)
        : AuditOptions.Conclude(_audit.Finish([source], abandon: abandon), quiet, log, live: true);

    /// <inheritdoc />
    public void Dispose()
    {
        _audit?.Dispose();
        _stored?.Dispose();
        _exported?.Dispose();
        _flows?.Dispose();
    }
}

/// <summary>
/// The options of a command that gathers flows as they come (capture, collect): flow records (--format, --output), the
/// flow table, the flow store, the IPFIX export and the audit, declared once for both.
/// </summary>
internal sealed class GatheringOptionSet(bool filters)
{
    private readonly OutputOptions _output = OutputOptions.ForFlows();
    private readonly CaptureOptions _flow = new(filters);
    private readonly AuditOptions _audit = new(required: false);
    private readonly StoreOptions _store = new();
    private readonly ExportOptions _export = new();

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _store.AddTo(command);
        _export.AddTo(command);
        _output.AddTo(command);
        _flow.AddTo(command);
        _audit.AddTo(command);
    }

    /// <summary>The catalog, inventory and settings when --inventory asks for an audit: read before the source opens, so a bad inventory stops first.</summary>
    public (AuditContext Context, AuditSettings Settings)? OpenAudit(ParseResult parse, ILogger log) =>
        _audit.Requested(parse) ? _audit.Open(parse, log) : null;

    /// <summary>The outputs for a source named <paramref name="source"/> (see <see cref="GatheringOutputs"/>).</summary>
    public GatheringOutputs Open(ParseResult parse, (AuditContext Context, AuditSettings Settings)? audited, string source, ILogger log) =>
        GatheringOutputs.Open(parse, audited, _output, _store, _export, _flow, source, log);
}
