using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// Turns flow verdicts and coverage into findings: flows of one kind between the same two ends, on the same
/// transport, port and rule, become one finding with counts and sample flows, so a chatty pair is one line. An end
/// the inventory does not name is its zone label (<see cref="AuditEndpoint.RoleLabel"/>), not its address, and flows
/// where neither end is named are one finding per kind, zone pair and rule with their ports counted inside: the number
/// of findings grows with hosts, zones, ports and rules, never with unknown addresses.
/// </summary>
public sealed class FindingBuilder
{
    private const int NoPort = -1;

    private readonly Dictionary<(FindingKind, string, string, string, int, string?), Finding> _byKey = [];
    // The last finding a flow counted in, by its ends' objects and the flow's protocol: the same key as _byKey's, without
    // the label strings to hash.
    private LastLookup<(FindingKind, AuditEndpoint, AuditEndpoint, byte, int, string?), Finding> _last;
    private readonly List<Finding> _missing = [];
    private readonly Dictionary<string, InventoryHost> _hosts;
    private readonly RuleIndex? _index;
    private readonly Inventory? _inventory;

    /// <summary>
    /// Creates an empty builder; <paramref name="inventory"/>, when given, lends missing findings the addresses of their
    /// hosts (for display filters), and with <paramref name="index"/> says what would explain an unexpected finding.
    /// </summary>
    public FindingBuilder(Inventory? inventory = null, RuleIndex? index = null)
    {
        _hosts = (inventory?.Hosts ?? []).GroupBy(h => h.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _index = index;
        _inventory = inventory;
    }

    /// <summary>The kind of finding a flow of <paramref name="verdict"/> counts in; null for verdicts that are no finding.</summary>
    public static FindingKind? KindOf(Verdict verdict) => verdict switch
    {
        Verdict.ProtocolMismatch => FindingKind.ProtocolMismatch,
        Verdict.Unexpected => FindingKind.Unexpected,
        Verdict.Unmapped => FindingKind.Unmapped,
        _ => null,
    };

    /// <summary>Records the findings <paramref name="verdict"/> implies for <paramref name="flow"/>, if any.</summary>
    public void Record(Flow flow, FlowVerdict verdict)
    {
        if ((verdict.FindingKind ?? KindOf(verdict.Verdict)) is { } found)
            AddFlow(found, flow, verdict, verdict.Rule?.Id, verdict.Reason);
        if (verdict.Weakness is { } weakness)
            AddFlow(FindingKind.WeakProtocol, flow, verdict, verdict.Rule?.Id, weakness);
        if (verdict.BlockedRule is { } blocked)
            AddFlow(FindingKind.RequiredBlocked, flow, verdict, blocked.Id, BlockedReason(flow, blocked.Id));
    }

    // How the first flow failed, with the ICMP error that answered it when one did (who refused it: the server, or a
    // router or firewall on the way), and what the rule requires: a port, or a protocol without ports (a tunnel's GRE).
    private static string BlockedReason(Flow flow, string rule)
    {
        string answer = flow.IcmpErrors.Count > 0 ? $" ({flow.IcmpErrors})" : "";
        string what = flow.ServerPort != 0 ? "on a port" : $"of {flow.Transport}";
        return $"{flow.State.Name()} attempt{answer} {what} required by rule {rule}";
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
                string.Join(",", rule.Ports), rule.Id, reason)
            {
                ClientPrefixes = _hosts.GetValueOrDefault(entry.FromHost)?.Prefixes ?? [],
                ServerPrefixes = _hosts.GetValueOrDefault(entry.ToHost)?.Prefixes ?? [],
            });
        }
    }

    /// <summary>Every finding, worst first: severity, then kind, then most flows; each quotes its samples already, so reports may read them on threads of their own.</summary>
    public IReadOnlyList<Finding> Build()
    {
        var findings = _byKey.Values.Concat(_missing)
            .OrderBy(f => f.Severity).ThenBy(f => f.Kind).ThenByDescending(f => f.Tally.Flows)
            .ThenBy(f => f.ClientHost, StringComparer.Ordinal).ThenBy(f => f.ServerHost, StringComparer.Ordinal)
            .ToList();
        foreach (var finding in findings) _ = finding.Samples;
        return findings;
    }

    /// <summary>Adds a finding that no flow showed (a firewall rule, a blocked instance), listed with the missing ones.</summary>
    public void Add(Finding finding) => _missing.Add(finding);

    /// <summary>
    /// Counts <paramref name="flow"/> in the finding of <paramref name="kind"/> between its ends on its port and
    /// <paramref name="rule"/> (a catalog rule id, or another stable name such as a firewall's rule), creating it first;
    /// returns the finding.
    /// </summary>
    public Finding AddFlow(FindingKind kind, Flow flow, FlowVerdict verdict, string? rule, string? reason)
    {
        var (client, server) = (verdict.Client, verdict.Server);
        // Neither end named: the pair of zones is the finding, its ports are counted inside rather than split apart.
        bool zonePair = client.Host is null && server.Host is null;
        var last = (kind, client, server, zonePair ? (byte)0 : flow.Protocol, zonePair ? NoPort : PortKey(flow), rule);
        if (!_last.TryGet(last, out var finding))
        {
            finding = FindOrAdd(kind, flow, verdict, rule, reason, zonePair);
            _last.Remember(last, finding);
        }
        finding.Add(flow, verdict.FailedAttempt, verdict.UnansweredAtEnd);
        // Flows of one mismatch may carry different protocols (TLS and OpenVPN on a relay's port), flows of one
        // rpc-interface finding different interfaces (the event log read, then the service manager opened over the same
        // SMB port): each is said, and the finding is as severe as its worst flow, not as its first.
        if (kind is FindingKind.ProtocolMismatch or FindingKind.RpcInterface && reason is not null) finding.AddReason(reason);
        if (kind == verdict.FindingKind && verdict.Severity is { } severity) finding.Raise(severity);
        return finding;
    }

    private Finding FindOrAdd(FindingKind kind, Flow flow, FlowVerdict verdict, string? rule, string? reason, bool zonePair)
    {
        var (client, server) = (verdict.Client, verdict.Server);
        string transport = zonePair ? Finding.AnyPort : flow.Transport;
        var key = (kind, End(client), End(server), transport, zonePair ? NoPort : PortKey(flow), rule);
        if (!_byKey.TryGetValue(key, out var finding))
        {
            string ports = zonePair ? Finding.AnyPort : PortText(flow);
            finding = new Finding(kind, key.Item2, key.Item3, client.RoleIds, server.RoleIds, transport, ports, rule, reason)
            {
                Segment = kind == FindingKind.Unmapped ? UnnamedSegment(verdict) : null,
                RolePair = (client.RoleLabel, server.RoleLabel),
                ClientAddresses = client.Host is null ? new() : null,
                ServerAddresses = server.Host is null ? new() : null,
                ServerPorts = zonePair ? new() : null,
                Anomaly = kind == FindingKind.Anomalous ? new() : null,
                ClientPrefixes = client.Prefixes,
                ServerPrefixes = server.Prefixes,
                SeverityOf = kind == verdict.FindingKind ? verdict.Severity : null,
                Explanation = kind == verdict.FindingKind ? verdict.Explanation : Explain(kind, flow, verdict, zonePair),
            };
            _byKey.Add(key, finding);
        }
        return finding;
    }

    // An ICMP flow has no port: its message stands in for one, so that a ping and an unreachable between two hosts are
    // findings of their own, each named by its message ("echo-request", "port-unreachable", "42/0" for a type without a name).
    private static int PortKey(Flow flow) =>
        flow.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6 ? IcmpKey | flow.IcmpType << 8 | flow.IcmpCode : flow.ServerPort;

    private const int IcmpKey = 0x10000;

    private static string PortText(Flow flow) => flow.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6
        ? IcmpMessages.MessageName(flow.Protocol, flow.IcmpType, flow.IcmpCode)
          ?? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{flow.IcmpType}/{flow.IcmpCode}")
        : flow.ServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Once per finding, not per flow: which role would allow an unexpected flow between two ends the inventory names
    // (a zone pair's finding covers many ports, so no one rule explains it).
    private string? Explain(FindingKind kind, Flow flow, FlowVerdict verdict, bool zonePair) =>
        kind == FindingKind.Unexpected && !zonePair && _index is not null && _inventory is not null && FlowClassifier.ToTransport(flow.Protocol) is { } transport
            ? TransportNames.IsIcmp(transport)
                ? RoleExplanation.ForIcmp(_index, _inventory, transport, flow.IcmpType, flow.IcmpCode, verdict.Client, verdict.Server)
                : RoleExplanation.ForPort(_index, _inventory, transport, flow, verdict.Client, verdict.Server)
            : null;

    /// <summary>
    /// The host's name, a broadcast's label ("(broadcast:lan 10.0.0.255)"), or for an unnamed address its segment or zone:
    /// "(unmapped:dmz)", "(unmapped@external)".
    /// </summary>
    private static string End(AuditEndpoint end) => end.Name ?? end.RoleLabel;

    private static string? UnnamedSegment(FlowVerdict verdict) =>
        verdict.Client.Host is null ? verdict.Client.Segment?.Name : verdict.Server.Segment?.Name;
}
