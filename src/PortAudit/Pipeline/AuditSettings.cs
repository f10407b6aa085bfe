using PortAudit.Audit;

namespace PortAudit.Pipeline;

/// <summary>Where an audit writes, what it names as its sources, and which findings fail it.</summary>
public sealed record AuditSettings
{
    /// <summary>The finding kinds that fail an audit by default: every kind that means the firewall and the documents disagree.</summary>
    public static readonly IReadOnlyList<FindingKind> DefaultFailOn =
        [FindingKind.Unexpected, FindingKind.ProtocolMismatch, FindingKind.RequiredBlocked, FindingKind.Missing,
         FindingKind.PolicyBlocksRequired, FindingKind.PolicyBypass, FindingKind.PolicyUnjustified];

    /// <summary>Directory for flows.jsonl and the reports (created if needed).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Also write flows.parquet and findings.parquet (<c>--parquet</c>); without, the run writes what it did before.</summary>
    public bool Parquet { get; init; }

    /// <summary>Also write each plot of report.html as an SVG file here; null for none.</summary>
    public string? PlotsDirectory { get; init; }

    /// <summary>Finding kinds that <see cref="AuditOutcome.FailingFindings"/> counts.</summary>
    public IReadOnlyList<FindingKind> FailOn { get; init; } = DefaultFailOn;

    /// <summary>The shortest capture in which a required flow never seen is a missing finding (see <see cref="CaptureVisibility.DefaultMinimumSpan"/>).</summary>
    public TimeSpan MinimumSpan { get; init; } = CaptureVisibility.DefaultMinimumSpan;

    /// <summary>The inventory as the report names it (the path as given).</summary>
    public string InventoryName { get; init; } = "";

    /// <summary>The catalog as the report names it.</summary>
    public string CatalogName { get; init; } = "";

    /// <summary>The site rule files merged with the catalog (<c>--local-rules</c>), named with their digests in the provenance.</summary>
    public IReadOnlyList<string> LocalRules { get; init; } = [];

    /// <summary>A suppression file (YAML, <see cref="Audit.Triage.SuppressionLoader"/>); null for none.</summary>
    public string? SuppressionsPath { get; init; }

    /// <summary>An earlier report.json whose findings count as known (<see cref="Audit.Triage.FindingTriage"/>); null for none.</summary>
    public string? BaselinePath { get; init; }

    /// <summary>Firewall policies to compare with the catalog and the traffic (<c>--firewall</c>), one per enforcement point.</summary>
    public IReadOnlyList<Policy.FirewallPolicy> Firewalls { get; init; } = [];

    /// <summary>
    /// Further receivers of every judged flow (the IPFIX exporter), after flows.jsonl and under the same verdict filter,
    /// so that they get what flows.jsonl holds.
    /// </summary>
    public IReadOnlyList<IAuditedFlowSink> JudgedFlowSinks { get; init; } = [];

    /// <summary>
    /// The anomaly models (<c>--model</c>) that judge every allowed flow, with the file they came from; null for none,
    /// and then the audit is what it was without them.
    /// </summary>
    public (Audit.Anomaly.ModelSet Models, string Path)? Model { get; init; }

    /// <summary>The date suppression expiry is judged on; null for today (UTC).</summary>
    public DateOnly? Today { get; init; }
}
