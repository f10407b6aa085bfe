using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Audit.Drafting;

/// <summary>Which of a host's served and initiated services one catalog role explains, with the rules that do.</summary>
/// <param name="Role">Role id.</param>
/// <param name="Served">Indices into the host's served services that a rule with the role on its listening side names.</param>
/// <param name="Initiated">Indices into the host's initiated services that a rule with the role on its client side names.</param>
/// <param name="Rules">The rules that explained them, first per service.</param>
public sealed record RoleFit(string Role, IReadOnlyList<int> Served, IReadOnlyList<int> Initiated, IReadOnlyList<(ServedService Service, Rule Rule, bool AsServer)> Rules)
{
    /// <summary>Indices into the host's attempted services (tried, not answered) that a rule with the role on its listening side names.</summary>
    public IReadOnlyList<int> Attempted { get; init; } = [];

    /// <summary>True when the role explains nothing the host did.</summary>
    public bool IsEmpty => Served.Count == 0 && Initiated.Count == 0;
}

/// <summary>
/// The catalog seen from one side at a time: for each role, its rules on the listening side and on the client side
/// (a wildcard side names no role; a dynamic range explains only a port inspection found DCE/RPC on, see
/// <see cref="RoleSuggester.Explains"/>).
/// </summary>
public sealed class RoleEvidenceIndex
{
    private readonly ILookup<string, Rule> _server, _client;
    private readonly RoleCatalog _catalog;

    /// <summary>Indexes every rule of <paramref name="catalog"/>, whatever its conditions: a draft has no features yet.</summary>
    public RoleEvidenceIndex(RoleCatalog catalog)
    {
        _catalog = catalog;
        var rules = catalog.Rules.Where(r => r.Transports.Any(TransportNames.HasPorts)).ToList();
        // A side that names roles says something of them whatever the other side is: "any to dns-server on 53".
        _server = rules.SelectMany(r => r.To.Roles.Select(role => (role, r))).ToLookup(x => x.role, x => x.r);
        _client = rules.SelectMany(r => r.From.Roles.Select(role => (role, r))).ToLookup(x => x.role, x => x.r);
        Roles = catalog.Roles.Select(r => r.Id).Where(id => _server.Contains(id) || _client.Contains(id)).ToList();
        _internetRoles = rules.SelectMany(r => r.From.Roles.Where(_ => ToInternet(r.To)).Concat(r.To.Roles.Where(_ => ToInternet(r.From))))
            .ToHashSet(StringComparer.Ordinal);
    }

    // Roles with a rule whose other side is a zone whose hosts are not listed (any@external): the Edge's external
    // interface, a reverse proxy, the services the Windows documents publish.
    private readonly HashSet<string> _internetRoles;

    private bool ToInternet(RuleSide side) => side.Selectors.Any(IsUnlistedZone);

    // A wildcard scoped to a zone whose hosts are not listed (any@external).
    private bool IsUnlistedZone(string selector) => RuleSide.ZoneOf(selector) is { } zone && _catalog.FindZone(zone) is { Listed: false };

    /// <summary>
    /// True when a rule that explained some of <paramref name="fit"/>'s services is one with the Internet: its other
    /// side a zone whose hosts are not listed (any@external, which explains a service only some peer on the Internet
    /// used), or only roles with such rules, for a service some peer on the Internet used (an XMPP partner's rule to
    /// the Edge; not a public client's to an internal web server the Internet may also reach). A host on the Internet
    /// belongs in an inventory only by such rules: the catalog leaves the rest of the Internet unlisted.
    /// </summary>
    public bool FacesInternet(RoleFit fit) => fit.Rules.Any(r =>
        (r.AsServer ? r.Rule.From : r.Rule.To) is var other
        && (ToInternet(other) || (r.Service.InternetFlows > 0 && other.Roles.Any() && other.Roles.All(_internetRoles.Contains))));

    /// <summary>True for a role the catalog gives another organisation's hosts (<see cref="Role.Partner"/>: a federation partner).</summary>
    public bool IsPartner(string role) => _catalog.FindRole(role) is { Partner: true };

    /// <summary>Roles with at least one rule.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>
    /// The role set a host with <paramref name="roles"/> plays, sorted: with every role they imply (<see cref="RoleCatalog.Closure"/>),
    /// so that an inventory's [lync-front-end] and another's [lync-front-end, lync-server] are one set.
    /// </summary>
    public IReadOnlyList<string> Closure(IEnumerable<string> roles) => _catalog.Closure(roles).Order(StringComparer.Ordinal).ToList();

    /// <summary><paramref name="roles"/> written shortest, as an inventory lists them: the roles another of them implies dropped.</summary>
    public IReadOnlyList<string> Minimal(IEnumerable<string> roles) => _catalog.Minimal(roles);

    /// <summary>What <paramref name="role"/> explains of <paramref name="host"/>.</summary>
    public RoleFit Fit(string role, HostEvidence host)
    {
        var rules = new List<(ServedService, Rule, bool)>();
        var served = Explained(_server[role], host.Served, rules, asServer: true);
        var initiated = Explained(_client[role], host.Initiated, rules, asServer: false);
        return new RoleFit(role, served, initiated, rules)
        {
            Attempted = Explained(_server[role], host.Attempted, [], asServer: true),
        };
    }

    // A rule whose other side is only the Internet (any@external: a zone whose hosts are not listed) explains a
    // service only some peer on the Internet used: an Edge's external rules do not explain STUN its internal clients asked for.
    private bool Explains(Rule rule, ServedService service, bool asServer)
    {
        if (!RoleSuggester.Explains(rule, service)) return false;
        var other = asServer ? rule.From : rule.To;
        return service.InternetFlows > 0 || !other.Selectors.All(IsUnlistedZone);
    }

    /// <summary>Share of <paramref name="role"/>'s rules on which it is the listening side, 0-1 (0 for a role without rules).</summary>
    public double Serverness(string role)
    {
        int server = _server[role].Count(), client = _client[role].Count();
        return server + client == 0 ? 0 : (double)server / (server + client);
    }

    /// <summary>
    /// True when a rule with <paramref name="role"/> on the host's side (<paramref name="asServer"/>: the listening side)
    /// explains <paramref name="service"/> and its other side takes a peer playing <paramref name="peerRoles"/>: it names
    /// one of them, or it is a wildcard, which takes any peer.
    /// </summary>
    public bool AgreesWithPeer(string role, ServedService service, bool asServer, IReadOnlyCollection<string> peerRoles) =>
        (asServer ? _server[role] : _client[role]).Any(rule => Explains(rule, service, asServer)
            && (asServer ? rule.From : rule.To) is var other && (other.HasWildcard || other.Roles.Any(peerRoles.Contains)));

    /// <summary>What every role with a rule explains of <paramref name="host"/>, roles explaining nothing left out.</summary>
    public IReadOnlyList<RoleFit> Fits(HostEvidence host) => Roles.Select(r => Fit(r, host)).Where(f => !f.IsEmpty).ToList();

    private List<int> Explained(IEnumerable<Rule> rules, IReadOnlyList<ServedService> services, List<(ServedService, Rule, bool)> into, bool asServer)
    {
        var explained = new List<int>();
        for (int i = 0; i < services.Count; i++)
            if (rules.FirstOrDefault(r => Explains(r, services[i], asServer)) is { } rule)
            {
                explained.Add(i);
                into.Add((services[i], rule, asServer));
            }
        return explained;
    }
}
