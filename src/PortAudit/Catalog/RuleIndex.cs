using PortAudit.Common;

namespace PortAudit.Catalog;

/// <summary>
/// Answers, per flow and without allocating, which rules allow a transport and port from one
/// set of roles to another. Single ports and short ranges sit in a hash table keyed by
/// (transport, port); the few wide ranges (dynamic RPC, media) are scanned linearly.
/// </summary>
public sealed class RuleIndex
{
    /// <summary>Ranges up to this size are expanded into the hash table.</summary>
    private const int ExpandLimit = 256;

    /// <summary>
    /// Most (transport, port) entries the hash table takes over all rules; later short ranges are scanned as wide ones
    /// are. The shipped catalog expands to about 2,000; a 700 KB site rule of 100,000 short ranges, both transports,
    /// expanded to 51 million entries and 3.5 GB.
    /// </summary>
    private const int MaxExpanded = 1 << 22;

    private long _expanded;

    private static readonly RuleEntry[] NoEntries = [];

    private readonly Dictionary<string, int> _roleNumbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoleSet> _singleRoleSets = new(StringComparer.Ordinal);
    private readonly Dictionary<int, RuleEntry[]> _byPort;
    private readonly RuleEntry[][] _wideRanges = new RuleEntry[256][];
    private readonly RuleEntry[][] _dynamicRanges = new RuleEntry[256][];
    private readonly RuleEntry[][] _everyPort = new RuleEntry[256][];
    // Per transport, every role any rule names on its client side, and on its server side (null: no rule on it).
    private readonly RoleSet?[] _anyClient = new RoleSet?[256];
    private readonly RoleSet?[] _anyServer = new RoleSet?[256];
    private readonly Dictionary<int, PortHint> _hints = [];
    private readonly IReadOnlyList<Rule> _rules;
    // The rules that grant DCE/RPC interfaces, and every rule with its sides, for explanations: both off the per-flow path.
    private readonly RuleEntry[] _granting;
    private readonly RuleEntry[] _all;

    /// <summary>
    /// Indexes the rules of <paramref name="catalog"/>. With <paramref name="features"/> given,
    /// rules whose conditions are not all among them are left out; with null, every rule counts.
    /// </summary>
    public RuleIndex(RoleCatalog catalog, IReadOnlyCollection<string>? features = null)
        : this(catalog, features is null ? null : rule => rule.AppliesTo(features))
    {
    }

    /// <summary>Indexes the rules of <paramref name="catalog"/> that <paramref name="applies"/> keeps (every rule when null).</summary>
    public RuleIndex(RoleCatalog catalog, Func<Rule, bool>? applies)
    {
        // Wildcards are numbered as roles: a host carries "any" and "any@ZONE" in its set, so matching stays a bit test.
        foreach (var role in catalog.Roles.Select(r => r.Id).Append(RuleSide.Any).Concat(catalog.Zones.Select(z => RuleSide.ScopedTo(z.Id))))
            _roleNumbers.TryAdd(role, _roleNumbers.Count);
        _rules = catalog.Rules.Where(r => applies is null || applies(r)).ToArray();

        var byPort = new Dictionary<int, List<RuleEntry>>();
        var wide = new Dictionary<Transport, List<RuleEntry>>();
        var every = new Dictionary<Transport, List<RuleEntry>>();
        foreach (var rule in _rules)
            Add(rule, byPort, wide, every);
        foreach (var (transport, entries) in every)
            _everyPort[(byte)transport] = entries.ToArray();
        _byPort = byPort.ToDictionary(p => p.Key, p => p.Value.ToArray());
        _all = every.Values.SelectMany(e => e).Concat(wide.Values.SelectMany(e => e)).DistinctBy(e => e.Rule).ToArray();
        _granting = _all.Where(e => e.Rule.Interfaces is not null).ToArray();
        foreach (var (transport, entries) in wide)
        {
            _wideRanges[(byte)transport] = entries.ToArray();
            _dynamicRanges[(byte)transport] = entries.Where(e => e.Rule.DynamicRange).ToArray();
        }
        for (int transport = 0; transport < _everyPort.Length; transport++)
        {
            // Every rule of the transport has one entry among these two, whatever its ports.
            var sides = (_everyPort[transport] ?? NoEntries).Concat(_dynamicRanges[transport] ?? NoEntries).ToArray();
            if (sides.Length == 0) continue;
            _anyClient[transport] = RoleSet.Union(sides.Select(e => e.From).ToArray());
            _anyServer[transport] = RoleSet.Union(sides.Select(e => e.To).ToArray());
        }
    }

    /// <summary>The rules this index answers from.</summary>
    public IReadOnlyList<Rule> Rules => _rules;

    /// <summary>A set of roles for one host; throws on a role the catalog does not define.</summary>
    public RoleSet CreateRoleSet(IEnumerable<string> roleIds) =>
        new(_roleNumbers.Count, roleIds.Select(NumberOf));

    /// <summary>
    /// The set one end of a flow matches rules with: its roles; <c>any</c> when the inventory names it; and
    /// <c>any@ZONE</c> when it is named, or when its zone's hosts are not listed (an Internet address). A zone no rule
    /// can name (one the inventory defined) adds nothing.
    /// </summary>
    public RoleSet CreateEndpointSet(IEnumerable<string> roles, bool named, string? zone, bool zoneListed)
    {
        var members = new List<string>(roles);
        if (named) members.Add(RuleSide.Any);
        if (zone is not null && (named || !zoneListed) && _roleNumbers.ContainsKey(RuleSide.ScopedTo(zone)))
            members.Add(RuleSide.ScopedTo(zone));
        return CreateRoleSet(members);
    }

    /// <summary>A cached set for a host the inventory names with the one role <paramref name="roleId"/> (so it matches <c>any</c> too).</summary>
    public RoleSet RoleSetOf(string roleId)
    {
        if (!_singleRoleSets.TryGetValue(roleId, out var set))
            _singleRoleSets[roleId] = set = CreateRoleSet([roleId, RuleSide.Any]);
        return set;
    }

    /// <summary>Rules that allow <paramref name="transport"/>/<paramref name="port"/> from a host with roles <paramref name="from"/> to a host with roles <paramref name="to"/>.</summary>
    /// <remarks>Use the port 0 for transports without ports (ESP, AH, GRE).</remarks>
    public RuleMatches Match(Transport transport, int port, RoleSet from, RoleSet to)
    {
        if (!TransportNames.HasPorts(transport))
            port = 0;
        var exact = _byPort.GetValueOrDefault(Key(transport, port), NoEntries);
        var wide = TransportNames.HasPorts(transport) ? _wideRanges[(byte)transport] ?? NoEntries : NoEntries;
        return new RuleMatches(exact, wide, port, from, to);
    }

    /// <summary>
    /// The dynamic RPC rules on <paramref name="transport"/> from <paramref name="from"/> to <paramref name="to"/>, whatever the
    /// port: a host may hand out its own range, which the caller checks.
    /// </summary>
    public RuleMatches MatchDynamic(Transport transport, RoleSet from, RoleSet to) =>
        new(NoEntries, _dynamicRanges[(byte)transport] ?? NoEntries, RuleEntry.AnyPort, from, to);

    /// <summary>
    /// The fixed-port rules on <paramref name="transport"/> from <paramref name="from"/> to <paramref name="to"/>, whatever
    /// their ports: for a connection another one announced, whose port its announcement chose.
    /// </summary>
    public RuleMatches MatchAnyPort(Transport transport, RoleSet from, RoleSet to) =>
        new(NoEntries, _everyPort[(byte)transport] ?? NoEntries, RuleEntry.AnyPort, from, to);

    /// <summary>
    /// False when no rule on <paramref name="transport"/>, whatever its ports (dynamic ranges included), can match from
    /// <paramref name="from"/> to <paramref name="to"/>: no rule's client side names a role of <paramref name="from"/>, or
    /// none's server side a role of <paramref name="to"/>. A test of a few words, before any lookup by port; true does not
    /// mean that a rule matches.
    /// </summary>
    public bool MayMatch(Transport transport, RoleSet from, RoleSet to) =>
        _anyClient[(byte)transport] is { } clients && from.Intersects(clients) && to.Intersects(_anyServer[(byte)transport]!);

    /// <summary>The rules that grant DCE/RPC interfaces (<see cref="Rule.Interfaces"/>) from <paramref name="from"/> to <paramref name="to"/>, on any transport and port.</summary>
    public IEnumerable<Rule> GrantingRules(RoleSet from, RoleSet to)
    {
        foreach (var entry in _granting)
            if (entry.Matches(RuleEntry.AnyPort, from, to)) yield return entry.Rule;
    }

    /// <summary>
    /// The rules of <paramref name="candidates"/> with which side of each takes the flow's ends: whether its client side
    /// matches <paramref name="from"/> and its server side <paramref name="to"/>. For explanations (which role, or which
    /// publication, would allow a flow), once per finding.
    /// </summary>
    public IEnumerable<(Rule Rule, bool Client, bool Server)> Sides(Func<Rule, bool> candidates, RoleSet from, RoleSet to)
    {
        foreach (var entry in _all)
            if (candidates(entry.Rule)) yield return (entry.Rule, from.Intersects(entry.From), to.Intersects(entry.To));
    }

    /// <summary>
    /// As <see cref="Sides"/>, for the fixed-port rules that cover <paramref name="transport"/>/<paramref name="port"/>:
    /// found through the port table, so that explaining each of an estate's thousands of findings looks at the few rules
    /// of its port rather than the whole catalog.
    /// </summary>
    public IEnumerable<(Rule Rule, bool Client, bool Server)> SidesAt(Transport transport, int port, RoleSet from, RoleSet to)
    {
        if (!TransportNames.HasPorts(transport)) port = 0;
        foreach (var entry in _byPort.GetValueOrDefault(Key(transport, port), NoEntries))
            yield return (entry.Rule, from.Intersects(entry.From), to.Intersects(entry.To));
        if (!TransportNames.HasPorts(transport)) yield break;
        foreach (var entry in _wideRanges[(byte)transport] ?? NoEntries)
            if (!entry.Rule.DynamicRange && entry.Range.Contains(port))
                yield return (entry.Rule, from.Intersects(entry.From), to.Intersects(entry.To));
    }

    /// <summary>True when at least one rule allows the traffic.</summary>
    public bool Allows(Transport transport, int port, RoleSet from, RoleSet to)
    {
        foreach (var _ in Match(transport, port, from, to))
            return true;
        return false;
    }

    /// <summary>Every rule that uses the port, optionally on one transport only (for --explain).</summary>
    public IReadOnlyList<Rule> RulesUsingPort(int port, Transport? transport = null) =>
        _rules.Where(r => r.UsesPort(port, transport)).ToArray();

    /// <summary>How strongly the catalog marks the port as a server port.</summary>
    public PortHint GetPortHint(Transport transport, int port) =>
        _hints.GetValueOrDefault(Key(transport, port), PortHint.None) is var hint and not PortHint.None
            ? hint
            : WideHint(transport, port);

    private PortHint WideHint(Transport transport, int port)
    {
        var hint = PortHint.None;
        foreach (var entry in _wideRanges[(byte)transport] ?? NoEntries)
        {
            if (!entry.Range.Contains(port))
                continue;
            var found = entry.Rule.DynamicRange ? PortHint.Dynamic : PortHint.Range;
            if (found > hint)
                hint = found;
        }
        return hint;
    }

    private void Add(Rule rule, Dictionary<int, List<RuleEntry>> byPort, Dictionary<Transport, List<RuleEntry>> wide,
        Dictionary<Transport, List<RuleEntry>> every)
    {
        var from = CreateRoleSet(rule.From.Selectors);
        var to = CreateRoleSet(rule.To.Selectors);
        foreach (var transport in rule.Transports)
        {
            IReadOnlyList<PortRange> ranges = TransportNames.HasPorts(transport) ? rule.Ports : [new PortRange(0, 0)];
            // One entry per rule and transport serves the queries whatever the port.
            if (!rule.DynamicRange && ranges.Count > 0)
                (every.TryGetValue(transport, out var listed) ? listed : every[transport] = []).Add(new RuleEntry(rule, ranges[0], from, to));
            // A range a rule lists twice matches nothing more the second time.
            var listedRanges = new HashSet<PortRange>();
            foreach (var range in ranges)
            {
                if (!listedRanges.Add(range)) continue;
                var entry = new RuleEntry(rule, range, from, to);
                if (range.Count > ExpandLimit || rule.DynamicRange || _expanded + range.Count > MaxExpanded)
                {
                    wide.TryAdd(transport, []);
                    wide[transport].Add(entry);
                    continue;
                }
                _expanded += range.Count;
                for (int port = range.Low; port <= range.High; port++)
                {
                    byPort.TryAdd(Key(transport, port), []);
                    byPort[Key(transport, port)].Add(entry);
                    RaiseHint(Key(transport, port), range.IsSingle ? PortHint.Fixed : PortHint.Range);
                }
            }
        }
    }

    private void RaiseHint(int key, PortHint hint)
    {
        if (hint > _hints.GetValueOrDefault(key))
            _hints[key] = hint;
    }

    private int NumberOf(string role) =>
        _roleNumbers.TryGetValue(role, out int number)
            ? number
            : throw new ArgumentException($"role '{role}' is not in the catalog", nameof(role));

    private static int Key(Transport transport, int port) => ((byte)transport << 16) | port;
}
