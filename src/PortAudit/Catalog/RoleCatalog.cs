namespace PortAudit.Catalog;

/// <summary>
/// A loaded, validated catalog: the roles, the features and the rules that connect them.
/// Every role and feature a rule names is guaranteed to exist here.
/// </summary>
public sealed class RoleCatalog
{
    private readonly Dictionary<string, Role> _roles;
    private readonly Dictionary<string, Feature> _features;
    private readonly Dictionary<string, IReadOnlySet<string>> _implied;

    /// <summary>Creates a catalog; the loader has already checked the cross-references.</summary>
    public RoleCatalog(IReadOnlyList<Role> roles, IReadOnlyList<Feature> features, IReadOnlyList<Rule> rules)
    {
        Roles = roles;
        Features = features;
        Rules = rules;
        _roles = roles.ToDictionary(r => r.Id, StringComparer.Ordinal);
        _features = features.ToDictionary(f => f.Id, StringComparer.Ordinal);
        _implied = roles.ToDictionary(r => r.Id, r => (IReadOnlySet<string>)Implied(r.Id), StringComparer.Ordinal);
    }

    /// <summary>All roles in file order.</summary>
    public IReadOnlyList<Role> Roles { get; }

    /// <summary>All features in file order.</summary>
    public IReadOnlyList<Feature> Features { get; }

    /// <summary>The zones rules may scope their wildcard to (<c>any@internal</c>).</summary>
    public IReadOnlyList<Zone> Zones { get; init; } = Zone.Defaults;

    /// <summary>The zone with this id, or null.</summary>
    public Zone? FindZone(string id) => Zones.FirstOrDefault(z => z.Id == id);

    /// <summary>All rules, file by file in name order, each file in its own order.</summary>
    public IReadOnlyList<Rule> Rules { get; }

    /// <summary>
    /// What loading noticed without rejecting the catalog, in the form of <see cref="CatalogError"/>: protocols whose
    /// flows inspection cannot judge, matched by port only.
    /// </summary>
    public IReadOnlyList<CatalogError> Warnings { get; init; } = [];

    /// <summary>The role with this id, or null.</summary>
    public Role? FindRole(string id) => _roles.GetValueOrDefault(id);

    /// <summary>
    /// <paramref name="roles"/> with every role they imply, directly or through others, appended in catalog order: the
    /// roles a host with them plays (an inventory's [lync-front-end] is a Lync server too). Unknown ids are kept as given.
    /// </summary>
    public IReadOnlyList<string> Closure(IEnumerable<string> roles)
    {
        var given = roles.Distinct(StringComparer.Ordinal).ToList();
        var implied = given.SelectMany(r => _implied.GetValueOrDefault(r) ?? (IEnumerable<string>)[]).ToHashSet(StringComparer.Ordinal);
        return [.. given, .. Roles.Select(r => r.Id).Where(id => implied.Contains(id) && !given.Contains(id))];
    }

    /// <summary>
    /// <paramref name="roles"/> without those another of them implies: the shortest way to write the same set
    /// ([lync-front-end, lync-server] is [lync-front-end]). Order kept.
    /// </summary>
    public IReadOnlyList<string> Minimal(IEnumerable<string> roles)
    {
        var given = roles.Distinct(StringComparer.Ordinal).ToList();
        return given.Where(r => !given.Any(other => other != r && _implied.GetValueOrDefault(other)?.Contains(r) == true)).ToList();
    }

    /// <summary>The feature with this id, or null.</summary>
    public Feature? FindFeature(string id) => _features.GetValueOrDefault(id);

    // Every role reachable through implies from role (the loader has rejected cycles and unknown ids).
    private HashSet<string> Implied(string role)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(_roles.GetValueOrDefault(role)?.Implies ?? []);
        while (pending.TryPop(out var next))
            if (found.Add(next))
                foreach (var further in _roles.GetValueOrDefault(next)?.Implies ?? []) pending.Push(further);
        found.Remove(role);
        return found;
    }

    /// <summary>
    /// The same catalog with every dynamic-range rule narrowed to a deployment's RPC range,
    /// for inventories that restricted DCOM/RPC as KB 154596 describes.
    /// </summary>
    public RoleCatalog WithDynamicRange(PortRange range) =>
        new(Roles, Features, Rules.Select(r => r.WithDynamicRange(range)).ToArray()) { Warnings = Warnings, Zones = Zones };
}
