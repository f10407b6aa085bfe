using PortAudit.Audit.Firewall;
using PortAudit.Audit.Triage;

namespace PortAudit.Audit;

/// <summary>Counts over a whole audit, the head of every report.</summary>
/// <param name="Flows">Flows audited, ignored ones included.</param>
/// <param name="FailedAttempts">Flows that were rejected or unanswered (and not the normal silence of a one-way protocol).</param>
/// <param name="Verdicts">Flows per verdict.</param>
/// <param name="Findings">Findings per kind.</param>
/// <param name="Coverage">Rule instances per status, never-seen split into required and optional.</param>
public sealed record AuditSummary(
    long Flows,
    long FailedAttempts,
    IReadOnlyDictionary<Verdict, long> Verdicts,
    IReadOnlyDictionary<FindingKind, int> Findings,
    CoverageCounts Coverage)
{
    /// <summary>Verdicts per evidence basis: what the flows were judged on (inspected content, exporter's application id, port, firewall log).</summary>
    public EvidenceBasis Evidence { get; init; } = new();

    /// <summary>With <c>--model</c>: the allowed flows the models judged, by feature set, and those no model covered; null without.</summary>
    public Anomaly.AnomalyCounts? Anomalies { get; init; }
}

/// <summary>Rule instances per coverage status.</summary>
/// <param name="Instances">All instances.</param>
/// <param name="Seen">Seen in use.</param>
/// <param name="Failed">Only failed attempts.</param>
/// <param name="RequiredNeverSeen">Required and never seen though the capture could have shown them: each is a missing finding (alternatives count once).</param>
/// <param name="OptionalNeverSeen">Optional and never seen: listed, not findings.</param>
public sealed record CoverageCounts(int Instances, int Seen, int Failed, int RequiredNeverSeen, int OptionalNeverSeen)
{
    /// <summary>Never seen, and the capture could not have shown them: listed, not findings.</summary>
    public int NotExercised { get; init; }

    /// <summary>Never seen, but an alternative of their oneOf group was.</summary>
    public int AlternativeSeen { get; init; }

    /// <summary>No flow they allow got through, but flows on their port between their hosts carried another protocol.</summary>
    public int Contradicted { get; init; }
}

/// <summary>What the capture point saw, which decides whether a required flow never seen is missing or not exercised.</summary>
/// <param name="FirstNs">First packet of the audited flows, nanoseconds since the epoch (0 without flows).</param>
/// <param name="LastNs">Last packet, nanoseconds since the epoch (0 without flows).</param>
/// <param name="HostsSeen">Inventory hosts with traffic, in inventory order.</param>
/// <param name="InventoryHosts">Hosts in the inventory.</param>
/// <param name="ZonesSeen">Zones with traffic.</param>
/// <param name="MinimumSpan">The shortest capture in which a required flow never seen is missing.</param>
public sealed record CaptureSummary(
    long FirstNs, long LastNs, IReadOnlyList<string> HostsSeen, int InventoryHosts, IReadOnlyList<string> ZonesSeen, TimeSpan MinimumSpan)
{
    /// <summary>
    /// Nanoseconds the capture covered (<see cref="CaptureVisibility.Span"/>: per input, first packet to last, joined as a
    /// union); null for <see cref="LastNs"/> − <see cref="FirstNs"/>, right for one input only.
    /// </summary>
    public long? CoveredNs { get; init; }

    /// <summary>
    /// Seconds covered: the sum over inputs of last packet − first packet, overlapping time counted once. Not
    /// <see cref="LastNs"/> − <see cref="FirstNs"/>: two one-second captures years apart cover two seconds.
    /// </summary>
    public double Seconds => (CoveredNs ?? LastNs - FirstNs) / 1e9;
}

/// <summary>Everything an audit concluded, ready for the report writers.</summary>
/// <param name="Summary">Counts.</param>
/// <param name="Findings">Findings, worst first.</param>
/// <param name="Coverage">Every rule instance with its status.</param>
/// <param name="RolePairs">Traffic per pair of role sets, busiest first.</param>
public sealed record AuditReport(
    AuditSummary Summary,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<CoverageEntry> Coverage,
    IReadOnlyList<RolePairStatistics> RolePairs)
{
    /// <summary>
    /// False when the report does not cover everything given: the run stopped early (a signal), an input was damaged or
    /// records were rejected; <see cref="Incomplete"/> says which. Damage is never complete.
    /// </summary>
    public bool Complete => Incomplete.Count == 0;

    /// <summary>Why the report is not complete, in the order of <see cref="IncompleteReason"/>; empty when it is.</summary>
    public IReadOnlyList<IncompleteReason> Incomplete { get; init; } = [];

    /// <summary>The flow records of the inputs, rejected ones included, whatever their number; none for packets only.</summary>
    public RecordCounts Records { get; init; } = new(0, 0);

    /// <summary>The packets of the inputs, those in no flow counted by why; none for flow records only.</summary>
    public PacketCounts Packets { get; init; } = PacketCounts.None;

    /// <summary>Each firewall policy given (<c>--firewall</c>) against the catalog and the traffic; empty without.</summary>
    public IReadOnlyList<Firewall.FirewallReport> Firewalls { get; init; } = [];

    /// <summary>What the capture point saw and for how long.</summary>
    public CaptureSummary Capture { get; init; } = new(0, 0, [], 0, [], CaptureVisibility.DefaultMinimumSpan);

    /// <summary>Findings of <paramref name="kinds"/>, whatever their triage.</summary>
    public int CountFindings(IEnumerable<FindingKind> kinds) => kinds.Sum(k => Summary.Findings.GetValueOrDefault(k));

    /// <summary>The findings set against a baseline and suppressions; <see cref="FindingTriage.None"/> when neither was given.</summary>
    public FindingTriage Triage { get; init; } = FindingTriage.None;

    /// <summary>New (or, without a baseline, all), unsuppressed findings of <paramref name="kinds"/>: what decides the exit code.</summary>
    public int CountFailing(IReadOnlyCollection<FindingKind> kinds) => Findings.Count(f => Triage.Fails(f, kinds));
}
