using System.Text;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Policy;

namespace PortAudit.Audit.Firewall;

/// <summary>
/// The firewalls' own policies in an audit: each flow's verdict by every enforcement point that sees it, flows that
/// contradict it (established though refused, refused though allowed), required catalog instances it blocks, and for every
/// rule the catalog rules that justify it, the flows that used it, and whether it is broader than needed or shadowed.
/// </summary>
/// <remarks>
/// An enforcement point named after an inventory host is that host's firewall: it sees the connections to the host (its
/// input path), those that came to it inside a tunnel it ends too. Any other is a network firewall that sees every flow
/// but those inside a tunnel (its forward path): it saw the tunnel's own flow between the tunnel's ends, and judged that.
/// </remarks>
public sealed class FirewallAudit
{
    private readonly List<Point> _points;
    private readonly Inventory _inventory;

    private sealed class Point(FirewallPolicy policy, InventoryHost? host)
    {
        public FirewallPolicy Policy { get; } = policy;
        public InventoryHost? Host { get; } = host;
        public Dictionary<PolicyRule, (long Flows, List<long> Ids)> Used { get; } = new(ReferenceEqualityComparer.Instance);

        // A host's firewall only sees connections to the host, those a tunnel it ends brings it too.
        public bool Sees(Flow flow) => Host is null || Host.Prefixes.Any(p => p.Contains(flow.Server));

        // A network firewall between a tunnel's ends sees the tunnel's own flow, not the flows inside it.
        public bool SeesInside => Host is not null;

        // A host's connection from an address of its own to another crosses lo, as one to itself does.
        public bool Local(Flow flow) => Host is not null && Host.Prefixes.Any(p => p.Contains(flow.Client));

        // Which hook judges what it sees: a host's input, a network firewall's forward.
        public PolicyPoint Kind => Host is null ? PolicyPoint.Network : PolicyPoint.Host;
    }

    /// <summary>Prepares the audit of <paramref name="policies"/> for a deployment.</summary>
    public FirewallAudit(IReadOnlyList<FirewallPolicy> policies, Inventory inventory)
    {
        _inventory = inventory;
        _points = policies.Select(p => new Point(p, inventory.Hosts.FirstOrDefault(h => h.Name == p.Name))).ToList();
    }

    /// <summary>Evaluates <paramref name="flow"/> with every policy that sees it, counts the deciding rules and records contradicting flows.</summary>
    public IReadOnlyList<FirewallVerdict> Record(Flow flow, FlowVerdict verdict, FindingBuilder findings)
    {
        var verdicts = new List<FirewallVerdict>();
        // A server the inventory knows by its own address is a unicast destination: a router types it no broadcast.
        bool hostAddress = _inventory.FindHost(flow.Server) is { } server && server.Prefixes.Any(p => p.IsSingleAddress && p.Contains(flow.Server));
        var query = new PolicyQuery(flow.Protocol, flow.Client, flow.ClientPort, flow.Server, flow.ServerPort) { HostAddress = hostAddress ? flow.Server : null };
        foreach (var point in _points)
        {
            if (!point.Sees(flow)) continue;
            if (flow.Carried && !point.SeesInside)
            {
                verdicts.Add(new FirewallVerdict(point.Policy.Name, null));
                continue;
            }
            var asked = point.Local(flow) ? query with { InInterface = "lo" } : query;
            var result = PolicyEvaluator.Evaluate(point.Policy, asked, point.Kind);
            verdicts.Add(new FirewallVerdict(point.Policy.Name, result));
            if (result.Rule is { } rule)
            {
                var (count, ids) = point.Used.TryGetValue(rule, out var used) ? used : (0, []);
                if (ids.Count < Finding.MaxFlowIds) ids.Add(flow.Id);
                point.Used[rule] = (count + 1, ids);
            }
            if (verdict.Verdict == Verdict.Ignored) continue;
            if (result.Decision == PolicyDecision.Blocked && flow.State == FlowState.Established)
                findings.AddFlow(FindingKind.PolicyBypass, flow, verdict, $"{point.Policy.Name}:{result.DecidedBy}",
                    $"established although firewall {point.Policy.Name} refuses it ({Where(result)}): a bypass, a capture point the firewall does not guard, or policy drift"
                    + EmptySets(point, asked, result));
            else if (result.Decision == PolicyDecision.Allowed && verdict.FailedAttempt)
                findings.AddFlow(FindingKind.PolicyRefusedAllowed, flow, verdict, $"{point.Policy.Name}:{result.DecidedBy}",
                    $"{flow.State.Name()} although firewall {point.Policy.Name} allows it ({Where(result)}): something else refuses it"
                    + EmptySets(point, asked, result));
        }
        return verdicts;
    }

    private static string Where(PolicyVerdict verdict) =>
        verdict.Rule is { } rule ? $"rule {rule.Id} at {rule.Location}" : verdict.DecidedBy;

    // The verdict follows the file, where a set is empty (FirewallPolicy.EmptySets): when filling such sets at run time
    // (fail2ban's are) could change it, the finding says so, naming each set and the rules on it that may match the
    // connection, and claims no more than that. Evaluated again only for a finding, on a policy with such sets.
    private static string EmptySets(Point point, in PolicyQuery query, PolicyVerdict verdict)
    {
        if (point.Policy.IfSetsFilled is not { } filled || PolicyEvaluator.Evaluate(filled, query, point.Kind).Decision == verdict.Decision) return "";
        var text = new StringBuilder();
        foreach (var set in point.Policy.EmptySets)
        {
            string name = set.Reference;
            var rules = new List<string>();
            // An nftables set belongs to its table: another table's rules look up a set of their own, were it of the same name.
            foreach (var chain in filled.Chains.Where(c => set.LookedUpIn(c.Name)))
                foreach (var rule in chain.Rules)
                {
                    if (rule.Undecidable.Any(u => Names(u, name)) && rule.Match(query) != MatchResult.No) rules.Add($"{rule.Id} at {rule.Location}");
                    // The deciding rule ends its chain: the rules after it are never reached.
                    if (rule.Id == verdict.Rule?.Id) break;
                }
            if (rules.Count > 0)
                text.Append($"; {set.Construct} at {set.Location} was empty in the file and may be filled at run time: ")
                    .Append(rules.Count == 1 ? $"rule {rules[0]} looks it up" : $"rules {string.Join(", ", rules)} look it up");
        }
        return text.ToString();
    }

    // Whether a condition's text looks up the set named (its "@name" followed by no more of a name).
    private static bool Names(string condition, string set)
    {
        for (int at = condition.IndexOf(set, StringComparison.Ordinal); at >= 0; at = condition.IndexOf(set, at + 1, StringComparison.Ordinal))
            if (at + set.Length == condition.Length || !(char.IsLetterOrDigit(condition[at + set.Length]) || condition[at + set.Length] is '_' or '-' or '.'))
                return true;
        return false;
    }

    /// <summary>
    /// Closes the books once every flow is in: the verdict on each required instance of <paramref name="coverage"/> (a blocked
    /// one is a finding, traffic or not), and each rule against the catalog (an allowing rule nothing in the catalog needs is a
    /// finding).
    /// </summary>
    /// <remarks>
    /// A firewall of 100,000 rules takes seconds here: <paramref name="cancel"/> is observed at every rule and every policy
    /// evaluation, so that a stopped run ends at once.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired.</exception>
    public IReadOnlyList<FirewallReport> Complete(IReadOnlyList<CoverageEntry> coverage, FindingBuilder findings, CancellationToken cancel = default)
    {
        var reports = new List<FirewallReport>();
        foreach (var point in _points)
        {
            var guarded = coverage.Where(e => point.Host is null || e.ToHost == point.Host.Name || e.ToHost == CoverageEntry.AnyHost).ToList();
            var instances = guarded.Where(e => e.Rule.Required).Select(e => Instance(point, e, cancel)).Where(i => i is not null).Select(i => i!).ToList();
            foreach (var instance in instances.Where(i => i.Decision == PolicyDecision.Blocked))
            {
                var entry = guarded.First(e => e.Rule.Id == instance.CatalogRule && e.FromHost == instance.FromHost && e.ToHost == instance.ToHost);
                findings.Add(new Finding(FindingKind.PolicyBlocksRequired, instance.FromHost, instance.ToHost, entry.Rule.From.Selectors,
                    entry.Rule.To.Selectors, entry.Rule.TransportName, string.Join(",", entry.Rule.Ports), entry.Rule.Id,
                    $"required by the catalog ({instance.Seed}), blocked by firewall {point.Policy.Name} ({instance.DecidedBy})")
                {
                    ClientPrefixes = HostPrefixes(instance.FromHost) ?? [],
                    ServerPrefixes = HostPrefixes(instance.ToHost) ?? [],
                });
            }
            var rules = Rules(point, guarded, cancel);
            foreach (var rule in rules.Where(r => r.Unjustified))
                findings.Add(Unjustified(point, rule.Rule));
            reports.Add(new FirewallReport(point.Policy.Name, point.Policy, point.Host?.Name, instances, rules));
        }
        return reports;
    }

    private IReadOnlyList<IpPrefix>? HostPrefixes(string name) =>
        name == CoverageEntry.AnyHost ? null : _inventory.Hosts.FirstOrDefault(h => h.Name == name)?.Prefixes;

    // The clients to try: the instance's host, or for any client every inventory host but the server.
    private InstancePolicy? Instance(Point point, CoverageEntry entry, CancellationToken cancel)
    {
        var servers = entry.ToHost == CoverageEntry.AnyHost ? point.Host is { } own ? [own] : [] : _inventory.Hosts.Where(h => h.Name == entry.ToHost).ToList();
        var clients = entry.FromHost == CoverageEntry.AnyHost
            ? _inventory.Hosts.Where(h => servers.All(s => s.Name != h.Name)).ToList()
            : _inventory.Hosts.Where(h => h.Name == entry.FromHost).ToList();
        PolicyVerdict? worst = null;
        foreach (var server in servers.Where(s => s.Prefixes.Count > 0))
        foreach (var client in clients.Where(c => c.Prefixes.Count > 0))
        foreach (var transport in entry.Rule.Transports)
        foreach (int port in entry.Rule.Ports.Count == 0 ? [0] : entry.Rule.Ports.Select(p => p.Low))
        {
            cancel.ThrowIfCancellationRequested();
            var verdict = PolicyEvaluator.Evaluate(point.Policy, new PolicyQuery((byte)transport, client.Prefixes[0].Network, 50000, server.Prefixes[0].Network, port), point.Kind);
            if (worst is null || Rank(verdict.Decision) > Rank(worst.Decision)) worst = verdict;
        }
        return worst is null ? null : new InstancePolicy(entry.Rule.Id, entry.FromHost, entry.ToHost, worst.Decision, worst.DecidedBy, entry.Rule.Source.Citation);

        static int Rank(PolicyDecision decision) => decision switch { PolicyDecision.Blocked => 2, PolicyDecision.Undecided => 1, _ => 0 };
    }

    private List<RulePolicy> Rules(Point point, List<CoverageEntry> guarded, CancellationToken cancel)
    {
        var result = new List<RulePolicy>();
        var instances = guarded
            .Select(e => (e.Rule, From: HostPrefixes(e.FromHost), To: HostPrefixes(e.ToHost) ?? point.Host?.Prefixes, Ports: e.Rule.Ports))
            .ToList();
        // NAT chains filter nothing: their rules are reported with the policy's translations, not here.
        foreach (var chain in point.Policy.Chains.Where(c => !c.IsNat))
        {
            // Each rule compared only with the earlier rules that can cover it (ShadowIndex), not with all of them.
            var shadowing = chain.Semantics == ChainSemantics.FirstMatch ? ShadowIndex.Shadowing(chain.Rules, cancel) : null;
            for (int i = 0; i < chain.Rules.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var rule = chain.Rules[i];
                if (!RuleRelations.SeesNewConnections(rule) || rule.Action is PolicyAction.Continue) continue;
                var justifying = rule.Action != PolicyAction.Accept ? []
                    : instances.Where(j => RuleRelations.Overlaps(rule, j.Rule, j.From, j.To, j.Ports)).ToList();
                string? shadowedBy = shadowing?[i]?.Id;
                var (flows, ids) = point.Used.TryGetValue(rule, out var used) ? used : (0, []);
                result.Add(new RulePolicy(rule, justifying.Select(j => j.Rule.Id).Distinct().Order(StringComparer.Ordinal).ToList(), flows, ids,
                    justifying.Count == 0 ? [] : RuleRelations.Broader(rule, justifying.Select(j => (j.Rule, j.From, (IReadOnlyList<PortRange>)j.Ports)).ToList()),
                    shadowedBy));
            }
        }
        return result;
    }

    private Finding Unjustified(Point point, PolicyRule rule)
    {
        string ports = rule.DestinationPorts?.ToString() ?? Finding.AnyPort;
        string transport = rule.Protocols is { Count: > 0 } p ? string.Join("+", p.Select(PolicyValues.ProtocolName)) : Finding.AnyPort;
        return new Finding(FindingKind.PolicyUnjustified, rule.Source?.ToString() ?? CoverageEntry.AnyHost,
            point.Host?.Name ?? rule.Destination?.ToString() ?? CoverageEntry.AnyHost, [], [], transport, ports, $"{point.Policy.Name}:{rule.Id}",
            $"firewall {point.Policy.Name} allows it at {rule.Location}{(rule.Interfaces is { } on ? $" ({on})" : "")}{(rule.Comment is null ? "" : $" (\"{rule.Comment}\")")}, and no catalog rule of the deployment needs it")
        {
            ServerPrefixes = point.Host?.Prefixes ?? [],
        };
    }
}
