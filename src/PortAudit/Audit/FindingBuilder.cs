using PortAudit.Catalog;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// Turns flow verdicts and coverage into findings: flows of one kind between the same two ends, on the same
/// transport, port and rule, become one finding with counts and sample flows, so a chatty pair is one line.
/// </summary>
public sealed class FindingBuilder
{
    private readonly Dictionary<(FindingKind, string, string, string, int, string?), Finding> _byKey = [];
    private readonly List<Finding> _missing = [];

    /// <summary>Records the findings <paramref name="verdict"/> implies for <paramref name="flow"/>, if any.</summary>
    public void Record(Flow flow, FlowVerdict verdict)
    {
        FindingKind? kind = verdict.Verdict switch
        {
            Verdict.ProtocolMismatch => FindingKind.ProtocolMismatch,
            Verdict.Unexpected => FindingKind.Unexpected,
            Verdict.Unmapped => FindingKind.Unmapped,
            _ => null,
        };
        if (kind is { } found)
            Add(found, flow, verdict, verdict.Rule, verdict.Reason);
        if (verdict.BlockedRule is { } blocked)
            Add(FindingKind.RequiredBlocked, flow, verdict, blocked, $"{flow.State.Name()} attempt on a port required by rule {blocked.Id}");
    }

    /// <summary>Adds a missing finding for each required rule instance that no flow showed.</summary>
    public void AddMissing(IEnumerable<CoverageEntry> coverage)
    {
        var alternativesReported = new HashSet<(string?, string, string)>();
        foreach (var entry in coverage.Where(e => e.Rule.Required && e.Status == CoverageStatus.NeverSeen))
        {
            var rule = entry.Rule;
            string reason = "required by the catalog, never seen in the capture";
            if (rule.OneOf is { } group)
            {
                // Alternatives are missing together or not at all: one finding per group and host pair, named by its first member.
                if (!alternativesReported.Add((group, entry.FromHost, entry.ToHost)))
                    continue;
                reason = $"required by the catalog, and no alternative of group {group} was seen in the capture";
            }
            _missing.Add(new Finding(FindingKind.Missing, entry.FromHost, entry.ToHost, rule.From.Selectors, rule.To.Selectors, rule.TransportName,
                string.Join(",", rule.Ports), rule.Id, reason));
        }
    }

    /// <summary>Every finding, worst first: severity, then kind, then most flows.</summary>
    public IReadOnlyList<Finding> Build() =>
        _byKey.Values.Concat(_missing)
            .OrderBy(f => f.Severity).ThenBy(f => f.Kind).ThenByDescending(f => f.Tally.Flows)
            .ThenBy(f => f.ClientHost, StringComparer.Ordinal).ThenBy(f => f.ServerHost, StringComparer.Ordinal)
            .ToList();

    private void Add(FindingKind kind, Flow flow, FlowVerdict verdict, Rule? rule, string? reason)
    {
        string client = verdict.Client.Describe(flow.Client);
        string server = verdict.Server.Describe(flow.Server);
        var key = (kind, client, server, flow.Transport, (int)flow.ServerPort, rule?.Id);
        if (!_byKey.TryGetValue(key, out var finding))
        {
            finding = new Finding(kind, client, server, verdict.Client.RoleIds, verdict.Server.RoleIds, flow.Transport,
                flow.ServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), rule?.Id, reason)
            {
                Segment = kind == FindingKind.Unmapped ? UnnamedSegment(verdict) : null,
                RolePair = (verdict.Client.RoleLabel, verdict.Server.RoleLabel),
            };
            _byKey.Add(key, finding);
        }
        finding.Add(flow, verdict.FailedAttempt);
    }

    private static string? UnnamedSegment(FlowVerdict verdict) =>
        verdict.Client.Host is null ? verdict.Client.Segment?.Name : verdict.Server.Segment?.Name;
}
