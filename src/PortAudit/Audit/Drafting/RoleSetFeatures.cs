namespace PortAudit.Audit.Drafting;

/// <summary>
/// The features of one candidate role set for one host, which the model weighs: how much of what the host served and
/// initiated the set explains, how specific that evidence is, whether every role of the set has evidence, the set's size,
/// and how often inventories used that set.
/// </summary>
public static class RoleSetFeatures
{
    /// <summary>Feature names, in vector order.</summary>
    public static readonly string[] Names =
    [
        "served-explained", "initiated-explained", "served-specific", "initiated-specific", "roles-without-evidence",
        "roles-without-served-evidence", "size", "log-prior", "bias-known-set", "role-prior", "redundant-roles",
        "hinted", "server-port-share", "client-port-share", "idle-server-roles",
    ];

    /// <summary>The feature vector of <paramref name="set"/> for a host with <paramref name="served"/> and <paramref name="initiated"/> services, whose role fits are <paramref name="fits"/>.</summary>
    /// <param name="set">The candidate role set.</param>
    /// <param name="fits">Every role fit of the host, by role (roles explaining nothing absent).</param>
    /// <param name="served">Number of services the host served.</param>
    /// <param name="initiated">Number of services the host initiated.</param>
    /// <param name="prior">How many labelled hosts had exactly this set (0 for a set no inventory used).</param>
    /// <param name="priorTotal">How many labelled hosts there were.</param>
    /// <param name="roleCount">How many labelled hosts had a role.</param>
    /// <param name="hinted">Roles that SRV records or served RPC interfaces name for the host.</param>
    public static double[] Of(IReadOnlyList<string> set, IReadOnlyDictionary<string, RoleFit> fits, int served, int initiated, int prior, int priorTotal,
        Func<string, int> roleCount, IReadOnlyList<string> hinted)
    {
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
        int withoutEvidence = 0, withoutServed = 0;
        foreach (var role in set)
        {
            if (!fits.TryGetValue(role, out var fit))
            {
                withoutEvidence++;
                withoutServed++;
                continue;
            }
            if (fit.Served.Count == 0) withoutServed++;
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
            initiatedSpecific / set.Count,
            (double)withoutEvidence / set.Count,
            served == 0 ? 0 : (double)withoutServed / set.Count,
            set.Count,
            Math.Log((prior + 0.5) / (priorTotal + 1.0)),
            prior > 0 ? 1 : 0,
            set.Average(r => Math.Log((Math.Max(0, roleCount(r)) + 0.5) / (priorTotal + 1.0))),
            (double)set.Count(r => Redundant(r, set, fits)) / set.Count,
            hinted.Count == 0 ? 0 : (double)set.Count(hinted.Contains) / hinted.Count,
            set.Average(r => fits.TryGetValue(r, out var f) ? f.ServerPortShare : 0),
            set.Average(r => fits.TryGetValue(r, out var f) ? f.ClientPortShare : 0),
            set.Average(r => fits.TryGetValue(r, out var f) && f.Served.Count == 0 ? f.Serverness : 0),
        ];
    }

    // A role of the set that explains nothing the other roles of the set do not: the evidence does not ask for it.
    private static bool Redundant(string role, IReadOnlyList<string> set, IReadOnlyDictionary<string, RoleFit> fits)
    {
        if (!fits.TryGetValue(role, out var fit)) return true;
        var others = set.Where(r => r != role && fits.ContainsKey(r)).Select(r => fits[r]).ToList();
        return fit.Served.All(i => others.Any(o => o.Served.Contains(i))) && fit.Initiated.All(i => others.Any(o => o.Initiated.Contains(i)));
    }
}
