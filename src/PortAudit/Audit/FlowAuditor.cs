using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// Receives each audited flow with its verdict (the flows.jsonl writer). Calls come from one thread at a time, in flow
/// order, but not always the same thread: at the end of input they come from a writing thread beside the auditor's.
/// </summary>
public interface IAuditedFlowSink
{
    /// <summary>One ended flow and its verdict.</summary>
    void Write(Flow flow, FlowVerdict verdict);

    /// <summary>
    /// Flows that ended together, each with the verdict at its place in <paramref name="verdicts"/>, in order; a sink
    /// that gains by formatting many records at once (flows.jsonl) does so.
    /// </summary>
    void WriteAll(ReadOnlySpan<Flow> flows, ReadOnlySpan<FlowVerdict> verdicts)
    {
        for (int i = 0; i < flows.Length; i++) Write(flows[i], verdicts[i]);
    }
}

/// <summary>
/// The audit as a flow observer: classifies each flow when it ends (after inspection, which runs earlier in
/// the observer list) and feeds coverage, findings and role-pair counts, so the same code can audit live
/// traffic. <see cref="Complete"/> closes the books.
/// </summary>
public sealed class FlowAuditor : IFlowObserver
{
    // Flows judged before the writing thread hears of them: enough that waking it costs nothing beside formatting them,
    // few enough that the two threads start working together at once.
    private const int HandOffBatch = 4096;
    // Batches classified ahead of the books: enough that neither thread waits for the other at every batch.
    private const int ClassifiedAhead = 4;
    private const string WritingThread = "portaudit-write";
    private const string ClassifyingThread = "portaudit-classify";

    private readonly FlowClassifier _classifier;
    private readonly IAuditedFlowSink? _sink;
    private readonly long[] _verdicts = new long[VerdictNames.All.Length];
    private long _failedAttempts;
    private readonly EvidenceBasis _evidence = new();
    private readonly Inventory _inventory;
    private readonly TimeSpan _minimumSpan;
    private readonly Firewall.FirewallAudit? _firewalls;
    private readonly Anomaly.AnomalyJudge? _anomalies;

    /// <summary>
    /// Creates the auditor; <paramref name="sink"/>, when given, receives every flow with its verdict;
    /// <paramref name="anomalies"/>, when given, scores every allowed flow against its role pair's model.
    /// </summary>
    public FlowAuditor(AuditContext context, IAuditedFlowSink? sink = null, int maxPairsPerRule = CoverageTracker.DefaultMaxPairsPerRule,
        TimeSpan? minimumSpan = null, Firewall.FirewallAudit? firewalls = null, Anomaly.AnomalyJudge? anomalies = null)
    {
        _firewalls = firewalls;
        _anomalies = anomalies;
        _classifier = new FlowClassifier(context.Index, context.Resolver, context.Silence);
        _sink = sink;
        _inventory = context.Inventory;
        _minimumSpan = minimumSpan ?? CaptureVisibility.DefaultMinimumSpan;
        Coverage = new CoverageTracker(context.Inventory, context.Index.Rules, maxPairsPerRule);
        Findings = new FindingBuilder(context.Inventory, context.Index);
    }

    /// <summary>Which hosts and zones the capture point saw, and for how long.</summary>
    public CaptureVisibility Visibility { get; } = new();

    /// <summary>Rule instances and what the flows so far showed of them.</summary>
    public CoverageTracker Coverage { get; }

    /// <summary>Findings so far.</summary>
    public FindingBuilder Findings { get; }

    /// <summary>The anomaly models' judge, when the audit has models.</summary>
    public Anomaly.AnomalyJudge? Anomalies => _anomalies;

    /// <summary>Traffic per pair of role sets so far.</summary>
    public RolePairTracker RolePairs { get; } = new();

    /// <summary>
    /// Stops the judging at the next flow when it fires (<see cref="OperationCanceledException"/>): the flows still held at
    /// the end of input are judged at once, and with a firewall of 100,000 rules each takes milliseconds.
    /// </summary>
    public CancellationToken Abandon { get; set; }

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <inheritdoc />
    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow) => Audit(flow);

    /// <summary>
    /// Judges the flows still held at the end of input, in order. Most of a capture's flows end here at once, so the work
    /// goes three ways, a batch at a time: a thread classifies the flows against the catalog and the inventory, this
    /// thread keeps the books (in flow order) with the verdicts classified before, and a third formats and writes the
    /// flows booked before that, so the sink still sees every flow in order. On one core, or for few flows, this thread
    /// judges a batch, then writes it: either way the sink gets whole batches (<see cref="IAuditedFlowSink.WriteAll"/>).
    /// </summary>
    /// <remarks>
    /// Classifying and booking took about the same time on the bench corpus, each about as long as writing: with the two
    /// on one thread, that thread was the one the other two cores' worth of work waited for.
    /// </remarks>
    public void OnFlowsEnd(ReadOnlyMemory<Flow> flows)
    {
        if (_sink is not { } sink || flows.Length < 2 * HandOffBatch || Environment.ProcessorCount < 2)
        {
            foreach (var batch in Batches(flows))
            {
                var verdicts = ClassifyBatch(batch.Span);
                BookBatch(batch.Span, verdicts);
                _sink?.WriteAll(batch.Span, verdicts);
            }
            return;
        }
        // The writer ends once booking has completed its hand-off, or when the sink failed: then the other two stop too,
        // and classifying stops when booking does, whether it ended or failed.
        using var writerDone = new CancellationTokenSource();
        using var bookingDone = CancellationTokenSource.CreateLinkedTokenSource(writerDone.Token);
        using var judged = new HandOff<FlowVerdict[]>(abort: writerDone.Token);
        using var classified = new HandOff<FlowVerdict[]>(ClassifiedAhead, bookingDone.Token);
        BesideThread.Run(WritingThread, () => WriteInOrder(sink, flows, judged),
            () => BesideThread.Run(ClassifyingThread, () => ClassifyInBatches(flows, classified),
                () => BookInOrder(flows, classified, judged), classified.Complete, bookingDone.Cancel),
            writerDone.Cancel, judged.Complete);
    }

    private static IEnumerable<ReadOnlyMemory<Flow>> Batches(ReadOnlyMemory<Flow> flows)
    {
        for (int start = 0; start < flows.Length; start += HandOffBatch)
            yield return flows.Slice(start, Math.Min(HandOffBatch, flows.Length - start));
    }

    // The classifying thread: the only one to use the classifier while the flows ended with the input are judged.
    private void ClassifyInBatches(ReadOnlyMemory<Flow> flows, HandOff<FlowVerdict[]> classified)
    {
        foreach (var batch in Batches(flows)) classified.Add(ClassifyBatch(batch.Span));
    }

    // Batches come in flow order: each is booked, its verdicts completed in place, and handed on to be written.
    private void BookInOrder(ReadOnlyMemory<Flow> flows, HandOff<FlowVerdict[]> classified, HandOff<FlowVerdict[]> judged)
    {
        int booked = 0;
        while (classified.TryTake(out var verdicts))
        {
            BookBatch(flows.Span.Slice(booked, verdicts.Length), verdicts);
            judged.Add(verdicts);
            booked += verdicts.Length;
        }
    }

    private FlowVerdict[] ClassifyBatch(ReadOnlySpan<Flow> batch)
    {
        var verdicts = new FlowVerdict[batch.Length];
        for (int i = 0; i < batch.Length; i++) verdicts[i] = Classify(batch[i]);
        return verdicts;
    }

    // Completes each verdict in place as the books have it.
    private void BookBatch(ReadOnlySpan<Flow> batch, FlowVerdict[] verdicts)
    {
        for (int i = 0; i < batch.Length; i++) verdicts[i] = Book(batch[i], verdicts[i]);
    }

    // Batches come in flow order, so the next flow to write is the one after the last written. A batch written is
    // garbage: the flows judged do not pile up verdicts while the rest are judged.
    private static void WriteInOrder(IAuditedFlowSink sink, ReadOnlyMemory<Flow> flows, HandOff<FlowVerdict[]> judged)
    {
        int written = 0;
        while (judged.TryTake(out var verdicts))
        {
            sink.WriteAll(flows.Span.Slice(written, verdicts.Length), verdicts);
            written += verdicts.Length;
        }
    }

    /// <summary>Classifies one ended flow, counts it everywhere and hands it to the sink; returns the verdict.</summary>
    public FlowVerdict Audit(Flow flow)
    {
        var verdict = Judge(flow);
        _sink?.Write(flow, verdict);
        return verdict;
    }

    /// <summary>Classifies one ended flow and counts it everywhere, without writing it.</summary>
    private FlowVerdict Judge(Flow flow) => Book(flow, Classify(flow));

    private FlowVerdict Classify(Flow flow)
    {
        Abandon.ThrowIfCancellationRequested();
        return _classifier.Classify(flow);
    }

    /// <summary>Counts a classified flow everywhere, in flow order; returns its verdict as the books complete it.</summary>
    private FlowVerdict Book(Flow flow, FlowVerdict verdict)
    {
        Abandon.ThrowIfCancellationRequested();
        // Every flow, ignored ones too: the judge forgets each flow's rhythm as it sees it. An anomalous flow is marked
        // before the books below count it, so that the role pair's plots draw it apart.
        if (_anomalies?.Record(flow, verdict, Findings) == true) verdict = verdict with { Anomalous = true };
        _verdicts[(int)verdict.Verdict]++;
        _evidence.Add(flow.Evidence, verdict.Verdict);
        if (verdict.Verdict != Verdict.Ignored)
        {
            if (verdict.FailedAttempt) _failedAttempts++;
            Visibility.Record(flow, verdict.Client, verdict.Server);
            Coverage.Record(flow, verdict);
            Findings.Record(flow, verdict);
            RolePairs.Record(flow, verdict);
        }
        if (_firewalls is not null)
            verdict = verdict with { Policy = _firewalls.Record(flow, verdict, Findings) };
        return verdict;
    }

    /// <summary>Adds the missing findings of rule instances never seen and builds the report. Call once, after the last flow.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired during the firewalls' analysis.</exception>
    public AuditReport Complete(CancellationToken cancel = default)
    {
        Coverage.SettleAlternatives();
        Coverage.SettleVisibility(Visibility, _inventory, _minimumSpan);
        Findings.AddMissing(Coverage.Entries);
        var firewalls = _firewalls?.Complete(Coverage.Entries, Findings, cancel) ?? [];
        var findings = Findings.Build();
        var coverage = Coverage.Entries;
        var summary = new AuditSummary(
            _verdicts.Sum(),
            _failedAttempts,
            VerdictNames.All.ToDictionary(v => v, v => _verdicts[(int)v]),
            // Without a model no flow can be anomalous, and the report says nothing of the kind: unchanged byte for byte.
            FindingNames.AllKinds.Where(k => k != FindingKind.Anomalous || _anomalies is not null).ToDictionary(k => k, k => findings.Count(f => f.Kind == k)),
            new CoverageCounts(
                coverage.Count,
                coverage.Count(e => e.Status == CoverageStatus.Seen),
                coverage.Count(e => e.Status == CoverageStatus.Failed),
                coverage.Count(e => e.Status == CoverageStatus.NeverSeen && e.Rule.Required),
                coverage.Count(e => e.Status == CoverageStatus.NeverSeen && !e.Rule.Required))
            {
                NotExercised = coverage.Count(e => e.Status == CoverageStatus.NotExercised),
                AlternativeSeen = coverage.Count(e => e.Status == CoverageStatus.AlternativeSeen),
                Contradicted = coverage.Count(e => e.Status == CoverageStatus.Contradicted),
            })
        { Evidence = _evidence, Anomalies = _anomalies?.Counts };
        var capture = new CaptureSummary(Visibility.FirstNs, Visibility.LastNs, Visibility.HostsSeen(_inventory), _inventory.Hosts.Count,
            Visibility.ZonesSeen, _minimumSpan) { CoveredNs = Visibility.SpanNs };
        return new AuditReport(summary, findings, coverage, RolePairs.Pairs) { Capture = capture, Firewalls = firewalls };
    }
}
