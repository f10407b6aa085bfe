using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>One service an ASA service object or group stands for: protocols (null: any IP), ports each side.</summary>
internal sealed record AsaService(List<byte>? Protocols, PortMatch? SourcePorts, PortMatch? DestinationPorts, string? Undecidable = null)
{
    /// <summary>The same service: the same protocols, ports and condition, whichever lists hold them (a group is a set of services).</summary>
    public bool Equals(AsaService? other) => other is not null && Key == other.Key;

    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    private string Key => $"{(Protocols is null ? "ip" : string.Join(',', Protocols))} {SourcePorts} {DestinationPorts} {Undecidable}";
}

/// <summary>
/// The objects and object-groups of an ASA configuration (network, service, protocol; nested with group-object),
/// resolved on use, each once (<see cref="AsaGroupExpansion{T}"/>); a name not defined, or defined by something this
/// reader does not follow (fqdn), stays unresolved.
/// </summary>
internal sealed class AsaObjects
{
    /// <summary>The most levels of groups a group may nest (group-object of a group-object...).</summary>
    public const int MaxNesting = 16;

    /// <summary>
    /// The most members the groups of one configuration and elements its access-list entries may expand to in all, 4 Mi:
    /// a real configuration's groups hold thousands and its entries expand to thousands of elements each; groups that
    /// each include the next several times, or an entry naming big groups on all three sides, reach billions from a page
    /// of text.
    /// </summary>
    public const long MaxExpandedMembers = 1L << 22;

    private readonly AsaExpansionBudget _budget = new(MaxExpandedMembers);
    private readonly AsaGroupExpansion<IpPrefix> _networks;
    private readonly AsaGroupExpansion<AsaService> _services;
    private readonly AsaGroupExpansion<byte> _protocols;

    /// <summary>An empty set of objects, whose expansions report to <paramref name="issues"/>.</summary>
    public AsaObjects(PolicyIssues issues)
    {
        _networks = new("network", NetworkLine, _budget, issues);
        _services = new("service", ServiceLine, _budget, issues);
        _protocols = new("protocol", ProtocolLine, _budget, issues);
    }

    /// <summary>The limit of <see cref="TakeEntry"/>, shared with the group expansions.</summary>
    public long ExpansionLimit => _budget.Limit;

    /// <summary>
    /// Counts an access-list entry's elements (<paramref name="services"/> x <paramref name="sources"/> x
    /// <paramref name="destinations"/>) against the budget the group expansions share; false once it is spent.
    /// </summary>
    public bool TakeEntry(long services, long sources, long destinations) => _budget.TakeProduct(services, sources, destinations);

    /// <summary>Collects every object and object-group definition of <paramref name="lines"/>, read from <paramref name="file"/>.</summary>
    public void Read(string[] lines, string file)
    {
        List<string>? body = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string raw = lines[i];
            string line = raw.Trim();
            int bang = line.IndexOf(" !", StringComparison.Ordinal);
            if (bang >= 0) line = line[..bang].TrimEnd();
            if (raw.StartsWith(' '))
            {
                if (body is not null && line.Length > 0 && !line.StartsWith("description", StringComparison.Ordinal)) body.Add(line);
                continue;
            }
            body = null;
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length < 3) continue;
            string kind = w[0] == "object-group" && w[1] == "group" && w.Length > 3 ? w[2] : w[1];
            string name = w[0] == "object-group" && w[1] == "group" && w.Length > 3 ? w[3] : w[2];
            string? protocol = w.Length > Array.IndexOf(w, name) + 1 ? w[Array.IndexOf(w, name) + 1] : null;
            if (w[0] is not ("object" or "object-group")) continue;
            body = [];
            var location = new PolicyLocation(file, i + 1);
            if (kind == "network") _networks.Definitions[name] = new AsaDefinition(name, null, body, location);
            else if (kind == "service") _services.Definitions[name] = new AsaDefinition(name, w[0] == "object" ? null : protocol, body, location);
            else if (kind == "protocol") _protocols.Definitions[name] = new AsaDefinition(name, null, body, location);
        }
    }

    /// <summary>True when <paramref name="name"/> is a service object or group.</summary>
    public bool IsService(string name) => _services.Definitions.ContainsKey(name);

    /// <summary>True when <paramref name="name"/> is a protocol group.</summary>
    public bool IsProtocolGroup(string name) => _protocols.Definitions.ContainsKey(name);

    /// <summary>True when <paramref name="name"/> is a service group of ports only (port-object), usable where a port goes.</summary>
    public bool IsPortGroup(string name) => _services.Definitions.TryGetValue(name, out var s) && s.Protocol is not null;

    /// <summary>The prefixes of a network object or group, shared by its uses; null when something in it is not resolved.</summary>
    public IReadOnlyList<IpPrefix>? Network(string name) => _networks.Members(name);

    /// <summary>The protocols of a protocol group, shared by its uses; null when something in it is not resolved.</summary>
    public IReadOnlyList<byte>? Protocols(string name) => _protocols.Members(name);

    /// <summary>The services of a service object or group, shared by its uses; null when something in it is not resolved.</summary>
    public IReadOnlyList<AsaService>? Services(string name) => _services.Members(name);

    // "host A", "network-object A MASK", "subnet A/N", "range A B", "group-object G", "network-object object O".
    private static AsaMemberLine<IpPrefix> NetworkLine(AsaDefinition group, string line)
    {
        var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        IpPrefix prefix;
        if (w is ["host", _] or ["network-object", "host", _] && PolicyValues.TryPrefix(w[^1], out prefix)) return new([prefix], null);
        if (w is ["subnet" or "network-object", _, _] && (PolicyValues.TryMask(w[1], w[2], out prefix) || PolicyValues.TryPrefix(w[1] + "/" + w[2], out prefix)))
            return new([prefix], null);
        if (w is ["subnet" or "network-object", _] && PolicyValues.TryPrefix(w[1], out prefix)) return new([prefix], null);
        if (w is ["range", _, _] && Common.IpAddr.TryParse(w[1], out var low) && Common.IpAddr.TryParse(w[2], out var high))
            return new(NftMatches.RangePrefixes(low, high).ToList(), null);
        if (w is ["network-object", "object", _] or ["group-object", _]) return new(null, w[^1]);
        return AsaMemberLine<IpPrefix>.Unknown;
    }

    // "protocol-object tcp", "group-object G".
    private static AsaMemberLine<byte> ProtocolLine(AsaDefinition group, string line)
    {
        var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w is ["protocol-object", var p] && AsaEntry.TryProtocol(p, out var single)) return new(single ?? [], null);
        if (w is ["group-object", var g]) return new(null, g);
        return AsaMemberLine<byte>.Unknown;
    }

    // "port-object eq 80" (the group's protocol), "service-object tcp destination eq 80", "service-object object O", "group-object G".
    private static AsaMemberLine<AsaService> ServiceLine(AsaDefinition group, string line)
    {
        var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        List<byte>? groupProtocols = group.Protocol is { } p ? AsaEntry.TryProtocol(p, out var ps) ? ps : null : null;
        switch (w[0])
        {
            case "port-object" when AsaEntry.TryPorts(w, 1, out var ports, out _):
                return new([new AsaService(groupProtocols, null, ports)], null);
            case "service" or "service-object" when w.Count > 2 && w[1] == "object":
                return new(null, w[2]);
            case "service" or "service-object" when w.Count > 1 && AsaEntry.TryProtocol(w[1], out var protocols):
                return ServicePorts(w, protocols) is { } service ? new([service], null) : AsaMemberLine<AsaService>.Unknown;
            case "group-object" when w.Count > 1:
                return new(null, w[1]);
            default:
                return AsaMemberLine<AsaService>.Unknown;
        }
    }

    // "service tcp source eq 65535 destination range 1 10", "service-object udp eq 1235", "service icmp echo".
    private static AsaService? ServicePorts(List<string> w, List<byte>? protocols)
    {
        PortMatch? source = null, destination = null;
        int i = 2;
        if (i < w.Count && w[i] == "source")
        {
            if (!AsaEntry.TryPorts(w, i + 1, out source, out int used)) return null;
            i += 1 + used;
        }
        if (i < w.Count && w[i] == "destination") i++;
        if (i < w.Count && AsaEntry.TryPorts(w, i, out destination, out int used2)) i += used2;
        if (i < w.Count && protocols is [1] or [58]) return new AsaService(protocols, null, null, string.Join(' ', w));
        return i == w.Count ? new AsaService(protocols, source, destination) : null;
    }
}
