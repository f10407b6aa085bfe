using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>A served port a role's rule explains.</summary>
/// <param name="Service">What the host served.</param>
/// <param name="Rule">The rule (with the role on its listening side) that names the port.</param>
public sealed record RoleEvidence(ServedService Service, Rule Rule);

/// <summary>A catalog role that would explain what a host served.</summary>
/// <param name="Role">Role id.</param>
/// <param name="Score">Share of the host's served ports the role explains, 0-1.</param>
/// <param name="Evidence">The served ports it explains, with the rule for each.</param>
/// <param name="RolePortsSeen">How many of the role's own listening ports the host served.</param>
/// <param name="RolePorts">How many listening ports the role's rules name (dynamic ranges left out).</param>
public sealed record RoleSuggestion(string Role, double Score, IReadOnlyList<RoleEvidence> Evidence, int RolePortsSeen, int RolePorts);

/// <summary>
/// Ranks catalog roles by how well their listening ports explain what a host served: the score is the
/// share of the host's served ports that a rule of the role names (with a protocol inspection does not
/// contradict); ties go to the role more of whose own ports were seen. Dynamic RPC ranges are left out,
/// since they would explain every high port of every host, and a wide range (media) explains a port only
/// when inspection found a protocol the rule names there.
/// </summary>
public sealed class RoleSuggester
{
    /// <summary>Ranges wider than this are too broad to suggest a role by port alone.</summary>
    public const int WideRange = 256;

    private readonly ILookup<string, Rule> _rulesByServerRole;

    /// <summary>Uses every rule of <paramref name="catalog"/>, whatever its conditions: a draft inventory has no features yet.</summary>
    public RoleSuggester(RoleCatalog catalog) =>
        _rulesByServerRole = catalog.Rules
            .Where(r => !r.DynamicRange && !r.To.HasWildcard && r.Transports.Any(TransportNames.HasPorts))
            .SelectMany(r => r.To.Roles.Select(role => (Role: role, Rule: r)))
            .ToLookup(x => x.Role, x => x.Rule);

    /// <summary>The <paramref name="top"/> best roles for a host that served <paramref name="served"/>, best first; roles explaining nothing are left out.</summary>
    public IReadOnlyList<RoleSuggestion> Suggest(IReadOnlyList<ServedService> served, int top = 3)
    {
        if (served.Count == 0)
            return [];
        var suggestions = new List<RoleSuggestion>();
        foreach (var rules in _rulesByServerRole)
        {
            var evidence = new List<RoleEvidence>();
            foreach (var service in served)
                if (rules.FirstOrDefault(r => Explains(r, service)) is { } rule)
                    evidence.Add(new RoleEvidence(service, rule));
            if (evidence.Count == 0)
                continue;
            var rolePorts = rules.SelectMany(r => r.Transports.Where(TransportNames.HasPorts).SelectMany(t => r.Ports.Select(p => (t, p))))
                .Distinct().ToList();
            int seen = rolePorts.Count(rp => served.Any(s => s.Transport == rp.t && rp.p.Contains(s.Port)));
            suggestions.Add(new RoleSuggestion(rules.Key, Math.Round((double)evidence.Count / served.Count, 2), evidence, seen, rolePorts.Count));
        }
        return suggestions
            .OrderByDescending(s => s.Score)
            .ThenByDescending(s => (double)s.RolePortsSeen / s.RolePorts)
            .ThenBy(s => s.Role, StringComparer.Ordinal)
            .Take(top).ToList();
    }

    /// <summary>True when <paramref name="rule"/> names the port of <paramref name="service"/> and inspection does not contradict its protocol, nor what the server selected inside TLS (a wide range needs a protocol the rule names).</summary>
    internal static bool Explains(Rule rule, ServedService service)
    {
        if (!rule.Covers(service.Transport, service.Port))
            return false;
        // What the server chose to speak inside TLS is what it serves: a rule that carries none of it does not explain it.
        if (service.Carried.Count > 0 && !service.Carried.Any(app => ProtocolExpectations.AcceptsCarried(rule.Protocol, app)))
            return false;
        // A rule that says which RPC interfaces it carries explains an RPC service only through one of them, DCOM's
        // plumbing through DCOM activation: DC-to-DC replication does not explain two Front Ends' DCOM.
        if (rule.Interfaces is { } grants && service.Apps.Contains(AppLabel.DceRpc))
            return service.RpcInterfaces.Any(name => grants.Any(g => g.Interface == name
                || g.Interface == RpcExposure.DcomActivation && RpcExposure.IsDcomPlumbing(name)));
        bool wide = rule.Ports.Any(p => p.Count > WideRange && p.Contains(service.Port));
        if (wide)
            return service.Apps.Any(app => ProtocolExpectations.AcceptedApps(rule.Protocol)?.Contains(app) == true);
        return service.Apps.Count == 0 || service.Apps.Any(app => ProtocolExpectations.Accepts(rule.Protocol, app));
    }
}

/// <summary>One host's suggestions: what it served and the roles that would explain it.</summary>
/// <param name="Address">The host.</param>
/// <param name="Served">Its served ports, busiest first.</param>
/// <param name="Roles">Suggested roles, best first.</param>
public sealed record HostSuggestion(IpAddr Address, IReadOnlyList<ServedService> Served, IReadOnlyList<RoleSuggestion> Roles);
