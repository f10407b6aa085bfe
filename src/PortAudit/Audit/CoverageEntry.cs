using PortAudit.Catalog;

namespace PortAudit.Audit;

/// <summary>How much of one rule instance the capture showed.</summary>
public enum CoverageStatus
{
    /// <summary>At least one flow that the rule allows got through.</summary>
    Seen,

    /// <summary>Only failed attempts (rejected or unanswered) were seen.</summary>
    Failed,

    /// <summary>
    /// No flow the rule allows got through, but flows between its hosts on its port carried a protocol it does not accept
    /// (each a protocol-mismatch finding): the path was in use, for something else. Not missing.
    /// </summary>
    Contradicted,

    /// <summary>No flow at all.</summary>
    NeverSeen,

    /// <summary>No flow, but another member of its oneOf group was in use between the same hosts: nothing is missing.</summary>
    AlternativeSeen,

    /// <summary>
    /// No flow, and the capture could not have shown one: an end never had traffic at the capture point, the capture never
    /// showed the ends talking, the rule is made on demand (no <c>every</c>), or the capture (or the window in which it
    /// watched the ends talk) is shorter than the minimum span or the rule's period. Listed in coverage; not a finding.
    /// </summary>
    NotExercised,
}

/// <summary>Text forms of <see cref="CoverageStatus"/>.</summary>
public static class CoverageStatusNames
{
    /// <summary>seen, failed, contradicted, alternative-seen, not-exercised or never-seen.</summary>
    public static string Name(this CoverageStatus status) => status switch
    {
        CoverageStatus.Seen => "seen",
        CoverageStatus.Failed => "failed",
        CoverageStatus.Contradicted => "contradicted",
        CoverageStatus.AlternativeSeen => "alternative-seen",
        CoverageStatus.NotExercised => "not-exercised",
        _ => "never-seen",
    };
}

/// <summary>
/// One rule instantiated for one pair of inventory hosts (or <see cref="AnyHost"/> for a side the rule
/// leaves open or that was aggregated), with the flows that showed it in use.
/// </summary>
public sealed class CoverageEntry
{
    /// <summary>Host name standing for "any host": the rule's side is <c>any</c>, or the instances were aggregated.</summary>
    public const string AnyHost = "*";

    internal CoverageEntry(Rule rule, string fromHost, string toHost, bool aggregated)
    {
        Rule = rule;
        FromHost = fromHost;
        ToHost = toHost;
        Aggregated = aggregated;
    }

    /// <summary>The rule.</summary>
    public Rule Rule { get; }

    /// <summary>Client-side host name, or <see cref="AnyHost"/>.</summary>
    public string FromHost { get; }

    /// <summary>Server-side host name, or <see cref="AnyHost"/>.</summary>
    public string ToHost { get; }

    /// <summary>True when the rule had too many host pairs and stands here once for all of them.</summary>
    public bool Aggregated { get; }

    /// <summary>Flows that showed the rule in use, failed attempts included, and when.</summary>
    public FlowTally Tally { get; } = new();

    /// <summary>
    /// Protocol mismatches on the rule's port between its hosts (<see cref="FlowVerdict.Contradicted"/>): flows that show
    /// the path in use for another protocol, counted apart from <see cref="Tally"/>, which the rule allowed.
    /// </summary>
    public FlowTally Mismatches { get; } = new();

    /// <summary>True once another member of the rule's oneOf group was seen between the same hosts.</summary>
    internal bool AlternativeInUse { get; set; }

    /// <summary>Why the capture could not have shown the instance, once the books are closed; null when it could have.</summary>
    public string? NotExercisedReason { get; internal set; }

    /// <summary>Seen, contradicted, failed, alternative-seen, not-exercised or never-seen.</summary>
    public CoverageStatus Status =>
        Tally.Flows > Tally.FailedFlows ? CoverageStatus.Seen
        : Mismatches.Flows > 0 ? CoverageStatus.Contradicted
        : Tally.Flows > 0 ? CoverageStatus.Failed
        : AlternativeInUse ? CoverageStatus.AlternativeSeen
        : NotExercisedReason is not null ? CoverageStatus.NotExercised
        : CoverageStatus.NeverSeen;
}
