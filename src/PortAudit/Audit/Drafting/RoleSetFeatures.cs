namespace PortAudit.Audit.Drafting;

/// <summary>
/// What the features of a host's candidate role sets are computed from: the host, what each role explains of it, the
/// roles SRV records and RPC interfaces name, and what the labelled hosts say (how often each set and role was used,
/// and the role profiles), with a training host's own labels already counted out.
/// </summary>
/// <param name="Host">The host.</param>
/// <param name="Fits">Every role fit of the host, by role (roles explaining nothing absent).</param>
/// <param name="Hinted">Roles that SRV records or served RPC interfaces name for the host.</param>
/// <param name="SetCount">How many labelled hosts had exactly a set (0 for a set no inventory used).</param>
/// <param name="Total">How many labelled hosts there were.</param>
/// <param name="RoleCount">How many labelled hosts had a role.</param>
/// <param name="ProfileCount">How many labelled hosts with a role had a service (role, <see cref="RoleProfiles.ServiceKey"/>).</param>
/// <param name="Serverness">The catalog's share of a role's rules on which it listens (<see cref="RoleEvidenceIndex.Serverness"/>).</param>
/// <param name="PairCount">How many labelled hosts had both roles.</param>
public sealed record CandidateContext(
    HostEvidence Host, IReadOnlyDictionary<string, RoleFit> Fits, IReadOnlyList<string> Hinted, Func<IReadOnlyList<string>, int> SetCount, int Total,
    Func<string, int> RoleCount, Func<string, string, int> ProfileCount, Func<string, double> Serverness, Func<string, string, int> PairCount)
{
    /// <summary>A set written shortest (<see cref="RoleEvidenceIndex.Minimal"/>): the roles chosen, those they imply left out.</summary>
    public Func<IEnumerable<string>, IReadOnlyList<string>> Minimal { get; init; } = roles => roles.ToList();

    /// <summary>How many labelled hosts with exactly a set had a service (set, <see cref="RoleProfiles.ServiceKey"/>), a training host counted out.</summary>
    public Func<IReadOnlyList<string>, string, int> SetProfileCount { get; init; } = (_, _) => 0;

    /// <summary>The client roles what the host initiated names (<see cref="RoleHints.AsClient"/>), empty for a host that served something.</summary>
    public IReadOnlyList<string> ClientNamed { get; init; } = [];

    /// <summary>True when <paramref name="role"/> has evidence: a catalog rule explains something the host did, or what it asked for names it.</summary>
    public bool Evident(string role) => Fits.ContainsKey(role) || ClientNamed.Contains(role);

    /// <summary>
    /// True when every labelled host with <paramref name="role"/> answered on some port (a Front End, a domain controller),
    /// or, for a role no labelled host had, when most of its catalog rules have it listen: no role for a host that answered nothing.
    /// </summary>
    public bool AlwaysListens(string role) =>
        RoleCount(role) > 0 ? ProfileCount(role, RoleProfiles.ServedNothing) <= 0 : Serverness(role) > 0.5;
}

/// <summary>
/// The features of one candidate role set for one host, which the model weighs: how much of what the host served and
/// initiated the set's catalog rules explain and how specific that evidence is, how much of it labelled hosts of the
/// set's roles were seen doing (profiles), roles without evidence and how often inventories put them beside the roles
/// with evidence, roles the evidence does not ask for or whose evidence rule did not fire, the set's size, and how
/// often inventories used that set, how many of the client roles what the host asked for names it holds, and how much
/// of what the host served labelled hosts of exactly that set served.
/// </summary>
public static class RoleSetFeatures
{
    /// <summary>Feature names, in vector order.</summary>
    public static readonly string[] Names =
    [
        "served-explained", "initiated-explained", "served-specific", "roles-without-evidence", "log-prior",
        "redundant-roles", "unnamed-expected-roles", "profile-coverage", "companion", "size", "initiated-specific", "client-named", "set-served-profile",
    ];

    /// <summary>
    /// The features that come from the catalog and the host alone, true of a role no labelled host had as of any other;
    /// the rest (log-prior, profile-coverage, companion) come from the labelled hosts. <see cref="RoleSetModel"/> fits a
    /// catalog model on these alone, for role sets with few labelled examples.
    /// </summary>
    public static readonly IReadOnlySet<string> FromCatalog = new HashSet<string>(StringComparer.Ordinal)
    {
        "served-explained", "initiated-explained", "served-specific", "roles-without-evidence", "redundant-roles", "unnamed-expected-roles", "size", "initiated-specific", "client-named",
    };

    /// <summary>The feature vector of <paramref name="set"/> in <paramref name="context"/>.</summary>
    public static double[] Of(IReadOnlyList<string> set, CandidateContext context)
    {
        var (host, fits) = (context.Host, context.Fits);
        int served = host.Served.Count, initiated = host.Initiated.Count;
        // A service explained by many roles says little about any of them: weigh each by one over their number.
        var servedRoles = new int[served];
        var initiatedRoles = new int[initiated];
        foreach (var fit in fits.Values)
        {
            foreach (int i in fit.Served) servedRoles[i]++;
            foreach (int i in fit.Initiated) initiatedRoles[i]++;
        }
        var servedCovered = new HashSet<int>();
        var initiatedCovered = new HashSet<int>();
        double servedSpecific = 0, initiatedSpecific = 0;
        foreach (var role in set)
        {
            if (!fits.TryGetValue(role, out var fit)) continue;
            servedCovered.UnionWith(fit.Served);
            initiatedCovered.UnionWith(fit.Initiated);
            servedSpecific += Math.Min(1, fit.Served.Sum(i => 1.0 / servedRoles[i]));
            initiatedSpecific += Math.Min(1, fit.Initiated.Sum(i => 1.0 / initiatedRoles[i]));
        }
        return
        [
            served == 0 ? 0 : (double)servedCovered.Count / served,
            initiated == 0 ? 0 : (double)initiatedCovered.Count / initiated,
            servedSpecific / set.Count,
            (double)set.Count(r => !context.Evident(r)) / set.Count,
            Math.Log((Math.Max(0, context.SetCount(set)) + 0.5) / (context.Total + 1.0)),
            (double)RedundantRoles(set, context) / set.Count,
            // A role an evidence rule would have named had the host had it (a global catalog nobody asked on 3268).
            (double)set.Count(r => RoleHints.Expected.Contains(r) && !context.Hinted.Contains(r)) / set.Count,
            ProfileCoverage(set, context),
            Companion(set, context),
            // Roles chosen: an implied role (lync-server beside lync-front-end) is no choice of its own.
            context.Minimal(set).Count,
            // The same for what the host initiated: ports only a Cisco Unity server's rules have it connect to.
            initiatedSpecific / set.Count,
            // The client roles what a host that served nothing asked for names: SIP a Lync client, Kerberos a Windows host.
            context.ClientNamed.Count == 0 ? 0 : (double)context.ClientNamed.Count(set.Contains) / context.ClientNamed.Count,
            SetServedProfile(set, context),
        ];
    }

    // The share of the host's services (and of "served nothing") some role of the set was seen with on labelled hosts.
    private static double ProfileCoverage(IReadOnlyList<string> set, CandidateContext context)
    {
        var keys = RoleProfiles.ServiceKeys(context.Host).Distinct().ToList();
        return keys.Count == 0 ? 0 : (double)keys.Count(k => set.Any(role => context.ProfileCount(role, k) > 0)) / keys.Count;
    }

    // The share of what the host served (or "served nothing") labelled hosts with exactly this set served: a workstation
    // serves nothing, whatever the windows-host beside it on a file server serves.
    private static double SetServedProfile(IReadOnlyList<string> set, CandidateContext context)
    {
        var keys = context.Host.Served.Count == 0 ? [RoleProfiles.ServedNothing] : context.Host.Served.Select(s => RoleProfiles.ServiceKey(true, s)).Distinct().ToList();
        return (double)keys.Count(k => context.SetProfileCount(set, k) > 0) / keys.Count;
    }

    // Roles the evidence does not ask for, weighed by how often labelled hosts had them beside a role of the set that
    // has evidence (a domain controller is a DNS server too in most inventories, whether or not it answered DNS): the
    // sum of their log conditional frequencies, 0 when every role has evidence.
    private static double Companion(IReadOnlyList<string> set, CandidateContext context)
    {
        var evident = set.Where(context.Evident).ToList();
        return set.Where(r => !context.Evident(r))
            .Sum(r => evident.Count == 0 ? Math.Log(0.5) : evident.Max(o => Math.Log((Math.Max(0, context.PairCount(r, o)) + 0.5) / (Math.Max(0, context.RoleCount(o)) + 1.0))));
    }

    private const int MaxExactRedundancy = 12;

    // Roles the evidence does not ask for: the set's size less the fewest of its roles that explain all it explains
    // (served, initiated, attempted, or named by what the host asked for). Two roles sharing ports (a file server's
    // file-server and windows-host, both on 445) leave one of them redundant, not both.
    private static int RedundantRoles(IReadOnlyList<string> set, CandidateContext context)
    {
        // The search is over every subset: sets of labelled hosts hold a handful of roles, but an inventory may give one
        // host dozens, and 2^n must stay small. Past the bound, roles without evidence of their own count as redundant.
        if (set.Count > MaxExactRedundancy) return set.Count(r => !context.Evident(r));
        var explains = set.Select(role => context.Fits.TryGetValue(role, out var fit)
            ? fit.Served.Select(i => "s" + i).Concat(fit.Initiated.Select(i => "i" + i)).Concat(fit.Attempted.Select(i => "a" + i)).ToHashSet()
            : context.ClientNamed.Contains(role) ? ["c" + role] : new HashSet<string>()).ToList();
        var all = explains.SelectMany(e => e).ToHashSet();
        int fewest = set.Count;
        for (int subset = 0; subset < 1 << set.Count; subset++)
        {
            int size = System.Numerics.BitOperations.PopCount((uint)subset);
            if (size < fewest && all.SetEquals(explains.Where((_, i) => (subset >> i & 1) != 0).SelectMany(e => e)))
                fewest = size;
        }
        return set.Count - fewest;
    }
}
