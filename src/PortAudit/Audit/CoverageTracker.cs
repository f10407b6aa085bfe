using PortAudit.Catalog;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// Instantiates every rule that applies to the inventory for each concrete pair of hosts with its roles, and
/// records which instances the flows showed in use. A side the rule leaves to <c>any</c> is not expanded (it
/// would pair every host with every other); a rule whose host pairs exceed <see cref="MaxPairsPerRule"/> is
/// kept as one aggregated instance, so a wide role cannot explode the report.
/// </summary>
public sealed class CoverageTracker
{
    /// <summary>Default largest number of host pairs a rule is instantiated for before it is aggregated.</summary>
    public const int DefaultMaxPairsPerRule = 64;

    private readonly Dictionary<(string Rule, string From, string To), CoverageEntry> _entries = [];
    private readonly HashSet<string> _aggregated = new(StringComparer.Ordinal);
    private readonly List<CoverageEntry> _ordered = [];

    /// <summary>
    /// Instantiates <paramref name="rules"/> (already limited to the deployment's features) over the hosts of
    /// <paramref name="inventory"/>.
    /// </summary>
    public CoverageTracker(Inventory inventory, IEnumerable<Rule> rules, int maxPairsPerRule = DefaultMaxPairsPerRule)
    {
        MaxPairsPerRule = maxPairsPerRule;
        var hostsByRole = inventory.Hosts.SelectMany(h => h.Plays.Select(r => (Role: r, Host: h))).ToLookup(x => x.Role, x => x.Host);
        foreach (var rule in rules)
        {
            // One pair past the bound is enough to aggregate: rules between roles many hosts play (a Windows host to a
            // domain controller) would otherwise check every pair of them (600,000 pairs for 775 hosts).
            var pairs = (from client in Side(rule.From, hostsByRole)
                         from server in Side(rule.To, hostsByRole)
                         where (client is null || client != server) && inventory.Applies(rule, client, server)
                         select (From: client?.Name ?? CoverageEntry.AnyHost, To: server?.Name ?? CoverageEntry.AnyHost))
                .Take(maxPairsPerRule + 1).ToList();
            if (pairs.Count > maxPairsPerRule)
            {
                _aggregated.Add(rule.Id);
                pairs = [(CoverageEntry.AnyHost, CoverageEntry.AnyHost)];
            }
            foreach (var (from, to) in pairs)
            {
                var entry = new CoverageEntry(rule, from, to, _aggregated.Contains(rule.Id));
                _entries.Add((rule.Id, from, to), entry);
                _ordered.Add(entry);
            }
        }
    }

    /// <summary>Largest number of host pairs a rule is instantiated for before it is aggregated.</summary>
    public int MaxPairsPerRule { get; }

    /// <summary>Every instance, rule by rule in catalog order.</summary>
    public IReadOnlyList<CoverageEntry> Entries => _ordered;

    /// <summary>
    /// Marks the instances no flow showed that the capture could not have shown: an end without any traffic at the
    /// capture point, ends it never saw talking to each other, a rule made on demand (no <see cref="Rule.Every"/>), a
    /// capture shorter than <paramref name="minimumSpan"/>, or ends it watched talking for less than
    /// max(<paramref name="minimumSpan"/>, the rule's period). Call once, after the last flow.
    /// </summary>
    public void SettleVisibility(CaptureVisibility seen, Inventory inventory, TimeSpan minimumSpan)
    {
        var hosts = inventory.Hosts.ToDictionary(h => h.Name, StringComparer.Ordinal);
        var zonesOfSide = new Dictionary<RuleSide, List<string>>();
        bool longEnough = seen.Span >= minimumSpan;
        foreach (var entry in _ordered.Where(e => e.Tally.Flows == 0 && e.Mismatches.Flows == 0))
        {
            bool client = Visible(entry.FromHost, entry.Rule.From);
            bool server = Visible(entry.ToHost, entry.Rule.To);
            var talked = TalkSpan(entry);
            var needed = entry.Rule.Every is { } every && every > minimumSpan ? every : minimumSpan;
            entry.NotExercisedReason =
                !client && !server ? "neither end had traffic at the capture point"
                : !client ? $"the client side ({entry.FromHost}) had no traffic at the capture point"
                : !server ? $"the server side ({entry.ToHost}) had no traffic at the capture point"
                : talked is not { } window ? $"the capture never showed {entry.FromHost} and {entry.ToHost} talking: the capture point is not on their path"
                : entry.Rule.Every is null ? "made on demand: its absence from a capture shows no problem"
                : !longEnough ? $"the capture spans {Describe(seen.Span)}, under the {Describe(minimumSpan)} a missing flow needs"
                : window < needed ? $"the capture watched {entry.FromHost} and {entry.ToHost} talk for {Describe(window)}, under the {Describe(needed)} in which the deployment makes this flow"
                : null;
        }

        bool Visible(string host, RuleSide side) =>
            host == CoverageEntry.AnyHost ? seen.SawSide(side, inventory) : hosts.TryGetValue(host, out var h) && seen.Saw(h);

        // Ends on the two sides of the capture point talk across it; ends it saw only separately may be on one side.
        // The longest window in which it watched them (or their zones) talk; null when it never did.
        TimeSpan? TalkSpan(CoverageEntry entry)
        {
            hosts.TryGetValue(entry.FromHost, out var from);
            hosts.TryGetValue(entry.ToHost, out var to);
            if (from is not null && to is not null) return seen.TalkSpan(from, to);
            if (from is not null) return Longest(ZonesOf(entry.Rule.To).Select(z => seen.TalkSpan(from, z)));
            if (to is not null) return Longest(ZonesOf(entry.Rule.From).Select(z => seen.TalkSpan(to, z)));
            var toZones = ZonesOf(entry.Rule.To).ToList();
            return Longest(ZonesOf(entry.Rule.From).SelectMany(a => toZones.Select(b => seen.TalkSpan(a, b))));
        }

        static TimeSpan? Longest(IEnumerable<TimeSpan?> spans) => spans.Max();

        // The zones a side's hosts can be in: those its scoped wildcards name, and those of the inventory hosts it takes.
        // Once per side: every instance with a wildcard end asks, and each answer walks the whole inventory.
        IEnumerable<string> ZonesOf(RuleSide side)
        {
            if (!zonesOfSide.TryGetValue(side, out var zones))
            {
                zones = side.Selectors.Select(RuleSide.ZoneOf).OfType<string>()
                    .Concat(inventory.Hosts.Where(h => side.Contains(RuleSide.Any) || h.Plays.Any(side.Contains)).Select(inventory.ZoneOf))
                    .Distinct(StringComparer.Ordinal).ToList();
                zonesOfSide.Add(side, zones);
            }
            return zones;
        }
    }

    private static string Describe(TimeSpan span) => DurationText.Format(span);

    /// <summary>
    /// Closes the books on alternatives: an instance of a oneOf group that no flow showed is satisfied when another
    /// member was seen (or tried, or carried another protocol) between the same hosts. Call once, after the last flow.
    /// </summary>
    public void SettleAlternatives()
    {
        var groups = _ordered.Where(e => e.Rule.OneOf is not null).GroupBy(e => (e.Rule.OneOf, e.FromHost, e.ToHost));
        foreach (var group in groups)
        {
            bool used = group.Any(e => e.Tally.Flows > 0 || e.Mismatches.Flows > 0);
            foreach (var entry in group)
                entry.AlternativeInUse = used && entry.Tally.Flows == 0;
        }
    }

    /// <summary>
    /// Credits the rules <paramref name="verdict"/> found in use to the instance of the flow's hosts, and counts a protocol
    /// mismatch on the instances of the rules it contradicted.
    /// </summary>
    public void Record(Flow flow, FlowVerdict verdict)
    {
        foreach (var rule in verdict.Covered)
            Instance(rule, verdict)?.Tally.Add(flow, verdict.FailedAttempt);
        foreach (var rule in verdict.Contradicted)
            Instance(rule, verdict)?.Mismatches.Add(flow, verdict.FailedAttempt);
    }

    private CoverageEntry? Instance(Rule rule, FlowVerdict verdict)
    {
        bool aggregated = _aggregated.Contains(rule.Id);
        string? from = aggregated || rule.From.HasWildcard ? CoverageEntry.AnyHost : verdict.Client.Host?.Name;
        string? to = aggregated || rule.To.HasWildcard ? CoverageEntry.AnyHost : verdict.Server.Host?.Name;
        // A host talking to itself has no instance: the traffic never crosses a firewall.
        return from is not null && to is not null && _entries.TryGetValue((rule.Id, from, to), out var entry) ? entry : null;
    }

    // Null stands for a whole side that a wildcard leaves open: its hosts are not named one by one.
    private static IEnumerable<InventoryHost?> Side(RuleSide side, ILookup<string, InventoryHost> hostsByRole) =>
        side.HasWildcard ? new InventoryHost?[] { null } : side.Roles.SelectMany(role => hostsByRole[role]).Distinct().Cast<InventoryHost?>();
}
