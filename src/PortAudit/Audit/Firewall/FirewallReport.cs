using PortAudit.Catalog;
using PortAudit.Policy;

namespace PortAudit.Audit.Firewall;

/// <summary>One firewall's verdict on one flow, for flows.jsonl.</summary>
/// <param name="Firewall">The enforcement point's name.</param>
/// <param name="Verdict">Its verdict and deciding rule; null when it saw the tunnel the flow came in, not the flow.</param>
public sealed record FirewallVerdict(string Firewall, PolicyVerdict? Verdict)
{
    /// <summary>
    /// "fe01: blocked by inet fw input#4"; for a network firewall and a flow that came inside a tunnel (a null
    /// <see cref="Verdict"/>), that the firewall judged the tunnel's own flow instead.
    /// </summary>
    public override string ToString() => Verdict is { } verdict
        ? $"{Firewall}: {verdict.Name} by {verdict.DecidedBy}"
        : $"{Firewall}: inside a tunnel, the firewall judged the tunnel itself";
}

/// <summary>What a firewall's policy does with one required catalog instance.</summary>
/// <param name="CatalogRule">The catalog rule id.</param>
/// <param name="FromHost">Client host, or "*".</param>
/// <param name="ToHost">Server host, or "*".</param>
/// <param name="Decision">Allowed, blocked or undecided (the worst over the clients and ports tried).</param>
/// <param name="DecidedBy">The deciding policy rule, or the default policy.</param>
/// <param name="Seed">Where the catalog rule is written: "seed-file: row".</param>
public sealed record InstancePolicy(string CatalogRule, string FromHost, string ToHost, PolicyDecision Decision, string DecidedBy, string Seed);

/// <summary>One policy rule seen against the catalog and the traffic.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="JustifiedBy">Catalog rule ids whose instances it allows (some connection of theirs matches it).</param>
/// <param name="Flows">Flows it decided.</param>
/// <param name="FlowIds">Ids of the first of those flows (at most <see cref="Audit.Finding.MaxFlowIds"/>).</param>
/// <param name="Broader">Why it allows more than its justifying instances need; empty when it does not.</param>
/// <param name="ShadowedBy">The earlier rule that matches all it matches, or null.</param>
public sealed record RulePolicy(PolicyRule Rule, IReadOnlyList<string> JustifiedBy, long Flows, IReadOnlyList<long> FlowIds,
    IReadOnlyList<string> Broader, string? ShadowedBy)
{
    /// <summary>True when no flow of the audit was decided by the rule.</summary>
    public bool Unused => Flows == 0;

    /// <summary>True for an accept rule, not shadowed, that no catalog rule of the deployment justifies: a policy-unjustified finding.</summary>
    public bool Unjustified => Rule.Action == PolicyAction.Accept && JustifiedBy.Count == 0 && ShadowedBy is null;
}

/// <summary>One enforcement point in the report: its policy as read, and how it compares with the catalog and the traffic.</summary>
/// <param name="Name">The enforcement point's name.</param>
/// <param name="Policy">The policy read.</param>
/// <param name="Host">The inventory host the policy protects (a host firewall), or null for a network firewall that sees every flow.</param>
/// <param name="Instances">Required catalog instances it guards, with its verdict.</param>
/// <param name="Rules">Its rules that can decide a new connection.</param>
public sealed record FirewallReport(string Name, FirewallPolicy Policy, string? Host, IReadOnlyList<InstancePolicy> Instances, IReadOnlyList<RulePolicy> Rules);
