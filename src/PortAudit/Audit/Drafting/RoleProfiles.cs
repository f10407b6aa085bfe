using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Audit.Drafting;

/// <summary>
/// What labelled hosts of each role served and initiated: per role and service (served or initiated, transport, port),
/// how many hosts with the role had it. The catalog says which ports a role's rules name; this says which of them the
/// role's hosts are seen on, and covers roles the catalog gives no rule (a Lync client connects to "any@internal" ports).
/// Dynamic ports (49152 and up) count as one service, "dyn": their number changes per host. Each exact role set is
/// counted too, as one role ("=file-server,windows-host"): a role seen serving 445 beside file-server says nothing of a
/// workstation, the same role beside it.
/// </summary>
public sealed class RoleProfiles
{
    private const int DynamicFrom = 49152;
    private readonly IReadOnlyDictionary<string, int> _counts;

    /// <summary>Profiles from counts keyed by <see cref="Key"/>.</summary>
    public RoleProfiles(IReadOnlyDictionary<string, int> counts) => _counts = counts;

    /// <summary>Counts keyed by <see cref="Key"/>.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>The profiles of <paramref name="hosts"/>: each host counted once per role and service.</summary>
    public static RoleProfiles Of(IEnumerable<LabelledHost> hosts)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var host in hosts)
        {
            var keys = ServiceKeys(host.Host).Distinct().ToList();
            foreach (var role in host.Roles.Distinct().Append(SetRole(host.Roles)))
                foreach (var key in keys)
                    counts[Key(role, key)] = counts.GetValueOrDefault(Key(role, key)) + 1;
        }
        return new RoleProfiles(counts);
    }

    /// <summary>How many labelled hosts with <paramref name="role"/> had the service <paramref name="serviceKey"/> (see <see cref="ServiceKeys"/>).</summary>
    public int Count(string role, string serviceKey) => _counts.GetValueOrDefault(Key(role, serviceKey));

    /// <summary>How many labelled hosts with exactly the role set <paramref name="roles"/> had the service <paramref name="serviceKey"/>.</summary>
    public int SetCount(IEnumerable<string> roles, string serviceKey) => _counts.GetValueOrDefault(Key(SetRole(roles), serviceKey));

    // A role set counted as one role: "=dns-server,domain-controller".
    private static string SetRole(IEnumerable<string> roles) => "=" + RoleSetModel.Key(roles);

    /// <summary>The key a host that answered on no port has: its roles need not listen.</summary>
    public const string ServedNothing = "served nothing";

    /// <summary>The host's services as profile keys: "served tcp/445", "initiated udp/53", "served tcp/dyn", or <see cref="ServedNothing"/>.</summary>
    public static IEnumerable<string> ServiceKeys(HostEvidence host) =>
        (host.Served.Count == 0 ? [ServedNothing] : host.Served.Select(s => ServiceKey(true, s))).Concat(host.Initiated.Select(s => ServiceKey(false, s)));

    /// <summary>One service as a profile key.</summary>
    public static string ServiceKey(bool served, ServedService service) =>
        $"{(served ? "served" : "initiated")} {TransportNames.Name(service.Transport)}/{(service.Port >= DynamicFrom ? "dyn" : service.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))}";

    /// <summary>The count key of a role and a service key.</summary>
    public static string Key(string role, string serviceKey) => role + " " + serviceKey;
}
