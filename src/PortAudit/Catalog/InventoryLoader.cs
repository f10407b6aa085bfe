using PortAudit.Catalog.Loading;
using PortAudit.Common;

namespace PortAudit.Catalog;

/// <summary>
/// Reads and validates an inventory file against a catalog. Either the whole inventory loads or an
/// <see cref="InventoryException"/> lists every problem with its file:line:column: malformed YAML, unknown
/// fields, roles and features, bad addresses and prefixes, and one prefix given to hosts with different roles.
/// </summary>
public static class InventoryLoader
{
    private static readonly string[] FileKeys = ["hosts", "segments", "zones", "features", "rpcDynamicPorts", "ignore"];
    private static readonly string[] HostKeys = ["name", "addresses", "cidrs", "roles", "zone", "rpcDynamicPorts", "features", "published"];
    private static readonly string[] SegmentKeys = ["name", "cidrs", "zone"];
    private static readonly string[] ZoneKeys = ["name", "description", "listed"];

    /// <summary>Loads <paramref name="path"/>; error messages name the file as given.</summary>
    /// <exception cref="InventoryException">The file is missing or invalid.</exception>
    public static Inventory Load(string path, RoleCatalog catalog)
    {
        var errors = new ErrorList();
        if (!File.Exists(path))
        {
            errors.Add(new SourceSpot(path, 1, 1), YamlText.NotAFile(path, "inventory"));
            return Fail(errors);
        }
        var root = YamlDocumentReader.ReadRoot(path, path, errors);
        if (root is null)
            return Fail(errors);

        var file = new MappingReader(root, path, errors, FileKeys);
        var zones = ReadZones(file, path, catalog, errors);
        var zoneIds = catalog.Zones.Select(z => z.Id).Concat(zones.Select(z => z.Id)).ToHashSet(StringComparer.Ordinal);
        var hosts = ReadHosts(file, path, catalog, zoneIds, errors);
        var segments = ReadSegments(file, path, zoneIds, errors);
        var features = ReadFeatures(file, catalog, errors);
        var range = ReadRange(file, errors) ?? LegacyRange(features);
        var ignore = ReadPrefixes(file.TextList("ignore"), errors);
        if (errors.Count > 0)
            return Fail(errors);
        return new Inventory(hosts, segments, features, range, ignore.Select(p => p.Value).ToArray()) { Zones = zones };
    }

    private static Inventory Fail(ErrorList errors)
    {
        try
        {
            errors.ThrowIfAny();
        }
        catch (CatalogException ex)
        {
            // The located-error machinery is the catalog's; the user must see that the inventory is at fault.
            throw new InventoryException(ex.Errors, ex.ErrorCount);
        }
        throw new InvalidOperationException("Fail called without errors");
    }

    private static List<Zone> ReadZones(MappingReader file, string path, RoleCatalog catalog, ErrorList errors)
    {
        var zones = new List<Zone>();
        if (file.Node("zones") is null)
            return zones;
        var names = new Dictionary<string, SourceSpot>(StringComparer.Ordinal);
        foreach (var node in file.Items("zones"))
        {
            var entry = new MappingReader(node, path, errors, ZoneKeys);
            var name = UniqueName(entry, names, "zone", errors);
            var description = entry.Text("description", required: false)?.Value ?? "";
            bool listed = entry.Flag("listed", fallback: true);
            if (name is null)
                continue;
            if (catalog.FindZone(name) is not null)
                errors.Add(entry.Spot, $"zone '{name}' is already defined by the catalog ({CatalogLoader.ZonesFile})");
            else
                zones.Add(new Zone(name, description, listed));
        }
        return zones;
    }

    private static string? ReadZone(MappingReader entry, IReadOnlySet<string> zones, ErrorList errors)
    {
        if (entry.Text("zone", required: false) is not { } zone)
            return null;
        if (zones.Contains(zone.Value))
            return zone.Value;
        errors.Add(zone.Spot, $"unknown zone '{zone.Value}' (zones: {string.Join(", ", zones.Order(StringComparer.Ordinal))}; define others under 'zones')");
        return null;
    }

    private static List<InventoryHost> ReadHosts(MappingReader file, string path, RoleCatalog catalog, IReadOnlySet<string> zones, ErrorList errors)
    {
        var hosts = new List<InventoryHost>();
        var names = new Dictionary<string, SourceSpot>(StringComparer.Ordinal);
        var claims = new Dictionary<IpPrefix, (InventoryHost Host, SourceSpot Spot)>();
        foreach (var node in file.Items("hosts"))
        {
            var entry = new MappingReader(node, path, errors, HostKeys);
            var name = UniqueName(entry, names, "host", errors);
            var prefixes = ReadPrefixes([.. entry.TextList("addresses"), .. entry.TextList("cidrs")], errors);
            if (prefixes.Count == 0 && entry.Node("addresses") is null && entry.Node("cidrs") is null)
                errors.Add(entry.Spot, "missing field 'addresses' (or 'cidrs')");
            var roles = ReadRoles(entry, catalog, errors);
            var zone = ReadZone(entry, zones, errors);
            var hostFeatures = ReadFeatures(entry, catalog, errors);
            var range = ReadRange(entry, errors) ?? LegacyRange(hostFeatures);
            var published = ReadPublished(entry, catalog, errors);
            if (name is null)
                continue;
            var host = new InventoryHost(name, prefixes.Select(p => p.Value).Distinct().ToArray(), roles) { Plays = catalog.Closure(roles), Zone = zone, RpcDynamicPorts = range, Features = hostFeatures, Published = published };
            foreach (var prefix in prefixes)
                Claim(claims, prefix, host, errors);
            hosts.Add(host);
        }
        return hosts;
    }

    private static void Claim(
        Dictionary<IpPrefix, (InventoryHost Host, SourceSpot Spot)> claims, Located<IpPrefix> prefix, InventoryHost host, ErrorList errors)
    {
        if (!claims.TryGetValue(prefix.Value, out var first))
        {
            claims.Add(prefix.Value, (host, prefix.Spot));
            return;
        }
        if (first.Host != host && !first.Host.Roles.Order().SequenceEqual(host.Roles.Order()))
            errors.Add(prefix.Spot,
                $"'{prefix.Value}' is also given to host '{first.Host.Name}' (line {first.Spot.Line}) with other roles: " +
                $"[{string.Join(", ", first.Host.Roles)}] against [{string.Join(", ", host.Roles)}]");
    }

    private static List<string> ReadRoles(MappingReader entry, RoleCatalog catalog, ErrorList errors)
    {
        var roles = new List<string>();
        var listed = entry.TextList("roles");
        if (listed.Length == 0)
            errors.Add(entry.Spot, "missing field 'roles': a host needs at least one catalog role");
        foreach (var role in listed)
        {
            if (role.Value == Role.AnyId)
                errors.Add(role.Spot, $"role '{Role.AnyId}' is the catalog's wildcard and cannot be given to a host");
            else if (catalog.FindRole(role.Value) is null)
                errors.Add(role.Spot, $"unknown role '{role.Value}' (roles are defined in the catalog's {CatalogLoader.RolesFile}){Spelling.Suggestion(role.Value, catalog.Roles.Select(r => r.Id))}");
            else if (!roles.Contains(role.Value))
                roles.Add(role.Value);
        }
        return roles;
    }

    private static List<InventorySegment> ReadSegments(MappingReader file, string path, IReadOnlySet<string> zones, ErrorList errors)
    {
        var segments = new List<InventorySegment>();
        if (file.Node("segments") is null)
            return segments;
        var names = new Dictionary<string, SourceSpot>(StringComparer.Ordinal);
        var claims = new Dictionary<IpPrefix, (string Name, SourceSpot Spot)>();
        foreach (var node in file.Items("segments"))
        {
            var entry = new MappingReader(node, path, errors, SegmentKeys);
            var name = UniqueName(entry, names, "segment", errors);
            var prefixes = ReadPrefixes(entry.TextList("cidrs"), errors);
            if (entry.Node("cidrs") is null)
                errors.Add(entry.Spot, "missing field 'cidrs'");
            var zone = ReadZone(entry, zones, errors);
            if (name is null)
                continue;
            foreach (var prefix in prefixes)
            {
                if (claims.TryGetValue(prefix.Value, out var first) && first.Name != name)
                    errors.Add(prefix.Spot, $"'{prefix.Value}' is also in segment '{first.Name}' (line {first.Spot.Line})");
                claims.TryAdd(prefix.Value, (name, prefix.Spot));
            }
            segments.Add(new InventorySegment(name, prefixes.Select(p => p.Value).Distinct().ToArray()) { Zone = zone });
        }
        return segments;
    }

    private static string? UniqueName(MappingReader entry, Dictionary<string, SourceSpot> names, string kind, ErrorList errors)
    {
        if (entry.Text("name", required: true) is not { } name)
            return null;
        if (names.TryGetValue(name.Value, out var first))
        {
            errors.Add(name.Spot, $"duplicate {kind} name '{name.Value}' (first at line {first.Line})");
            return null;
        }
        names.Add(name.Value, name.Spot);
        return name.Value;
    }

    private static List<Located<IpPrefix>> ReadPrefixes(Located<string>[] texts, ErrorList errors)
    {
        var prefixes = new List<Located<IpPrefix>>();
        foreach (var text in texts)
        {
            if (IpPrefix.TryParse(text.Value, out var prefix, out var problem))
                prefixes.Add(new Located<IpPrefix>(prefix, text.Spot));
            else
                errors.Add(text.Spot, problem!);
        }
        return prefixes;
    }

    // A word no rule knows would publish nothing while it reads as if it did: a typo must not silently close a service.
    private static List<string> ReadPublished(MappingReader entry, RoleCatalog catalog, ErrorList errors)
    {
        var published = new List<string>();
        foreach (var word in entry.TextList("published"))
        {
            if (!catalog.Rules.Any(r => r.Protocol == word.Value || r.Id == word.Value))
                errors.Add(word.Spot, $"unknown published service '{word.Value}': name a protocol some catalog rule uses (rdp, https, smtp, dns...) or a rule id");
            else if (!published.Contains(word.Value))
                published.Add(word.Value);
        }
        return published;
    }

    private static List<string> ReadFeatures(MappingReader file, RoleCatalog catalog, ErrorList errors)
    {
        var features = new List<string>();
        foreach (var feature in file.TextList("features"))
        {
            if (catalog.FindFeature(feature.Value) is null)
                errors.Add(feature.Spot, $"unknown feature '{feature.Value}' (features are defined in the catalog's {CatalogLoader.FeaturesFile}){Spelling.Suggestion(feature.Value, catalog.Features.Select(f => f.Id))}");
            else if (!features.Contains(feature.Value))
                features.Add(feature.Value);
        }
        return features;
    }

    /// <summary>The dynamic RPC range of Windows systems before Windows Server 2008 and Vista (KB929851).</summary>
    public static readonly PortRange LegacyRpcPorts = new(1025, 5000);

    /// <summary>The feature that declares such systems, for the inventory or for one host.</summary>
    public const string LegacyRpcFeature = "legacy-rpc-ports";

    // Windows Server 2008 and later hand out 49152-65535, the catalog's default; a declared legacy system 1025-5000.
    private static PortRange? LegacyRange(List<string> features) => features.Contains(LegacyRpcFeature) ? LegacyRpcPorts : null;

    private static PortRange? ReadRange(MappingReader file, ErrorList errors)
    {
        if (file.Text("rpcDynamicPorts", required: false) is not { } text)
            return null;
        if (PortRange.TryParse(text.Value, out var range, out var problem))
            return range;
        errors.Add(text.Spot, $"rpcDynamicPorts: {problem}");
        return null;
    }
}
