using PortAudit.Audit.Firewall;
using PortAudit.Catalog;

namespace PortAudit.Audit;

/// <summary>The audit's conclusion about one flow.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Rule">The rule that allows the flow (or whose protocol it contradicts); null for unexpected and unmapped flows.</param>
/// <param name="Client">The initiator as the inventory sees it.</param>
/// <param name="Server">The responder as the inventory sees it.</param>
/// <param name="Covered">Rules this flow shows in use, for coverage: every rule that allows it, not only <paramref name="Rule"/>.</param>
/// <param name="FailedAttempt">True when the flow was rejected or went unanswered.</param>
/// <param name="BlockedRule">For a failed attempt, a required rule that covers it: the firewall blocks what the deployment needs.</param>
/// <param name="Reason">Why, in words, when the verdict alone does not say it.</param>
public sealed record FlowVerdict(
    Verdict Verdict,
    Rule? Rule,
    AuditEndpoint Client,
    AuditEndpoint Server,
    IReadOnlyList<Rule> Covered,
    bool FailedAttempt,
    Rule? BlockedRule,
    string? Reason)
{
    /// <summary>
    /// For a protocol mismatch, the rules whose port and roles the flow matched and whose protocol it contradicted: the
    /// flow shows their instances' path in use, carrying another protocol (<see cref="CoverageStatus.Contradicted"/>), so
    /// none of them was never seen. Empty otherwise.
    /// </summary>
    public IReadOnlyList<Rule> Contradicted { get; init; } = [];

    /// <summary>
    /// The flow's opening went unanswered, but its input ended less than 1 s after it began (<see cref="Flows.Flow.CutOff"/>,
    /// <see cref="SilencePolicy.IsUnansweredAtEnd"/>): it is neither a failed attempt (<see cref="FailedAttempt"/> is false)
    /// nor a flow that got through, so it credits no rule instance (<see cref="Covered"/> is empty) and no model learns it.
    /// </summary>
    public bool UnansweredAtEnd { get; init; }

    /// <summary>The verdict of each firewall policy that sees the flow (<c>--firewall</c>); empty without policies.</summary>
    public IReadOnlyList<Firewall.FirewallVerdict> Policy { get; init; } = [];

    /// <summary>
    /// The kind of finding the flow counts in when its verdict's own (<see cref="FindingBuilder.KindOf"/>) would not say
    /// enough: an RPC interface its ends' roles do not explain is <see cref="FindingKind.RpcInterface"/>.
    /// </summary>
    public FindingKind? FindingKind { get; init; }

    /// <summary>The severity of that finding when it is not its kind's (an attacker's RPC interface is high).</summary>
    public Severity? Severity { get; init; }

    /// <summary>What would explain the flow ("would be allowed if ex1 had role sql-server (rule ...)"), when one role would.</summary>
    public string? Explanation { get; init; }

    /// <summary>
    /// A weakness a review flags even on an allowed port (SMB1, a cleartext LDAP bind, NTLMv1, Telnet or FTP across
    /// zones), in words; null when none was seen. It adds a <see cref="Audit.FindingKind.WeakProtocol"/> finding beside the verdict's.
    /// </summary>
    public string? Weakness { get; init; }

    /// <summary>
    /// A rule allows the flow, but its role pair's model found it anomalous (<c>audit --model</c>): it counts in an
    /// <see cref="Audit.FindingKind.Anomalous"/> finding, and the role pair's plots draw it apart from the expected flows.
    /// </summary>
    public bool Anomalous { get; init; }
}
