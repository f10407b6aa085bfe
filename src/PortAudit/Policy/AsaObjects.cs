using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>One service an ASA service object or group stands for: protocols (null: any IP), ports each side.</summary>
internal sealed record AsaService(List<byte>? Protocols, PortMatch? SourcePorts, PortMatch? DestinationPorts, string? Undecidable = null);

/// <summary>
/// The objects and object-groups of an ASA configuration (network, service, protocol; nested with group-object),
/// resolved on use; a name not defined, or defined by something this reader does not follow (fqdn), stays unresolved.
/// </summary>
internal sealed class AsaObjects
{
    private readonly Dictionary<string, List<string>> _networkLines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Protocol, List<string> Lines)> _serviceLines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _protocolLines = new(StringComparer.Ordinal);

    /// <summary>Collects every object and object-group definition of <paramref name="lines"/>.</summary>
    public void Read(string[] lines, string file, PolicyIssues issues)
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
            if (kind == "network") _networkLines[name] = body;
            else if (kind == "service") _serviceLines[name] = (w[0] == "object" ? null : protocol, body);
            else if (kind == "protocol") _protocolLines[name] = body;
        }
    }

    /// <summary>True when <paramref name="name"/> is a service object or group.</summary>
    public bool IsService(string name) => _serviceLines.ContainsKey(name);

    /// <summary>True when <paramref name="name"/> is a protocol group.</summary>
    public bool IsProtocolGroup(string name) => _protocolLines.ContainsKey(name);

    /// <summary>True when <paramref name="name"/> is a service group of ports only (port-object), usable where a port goes.</summary>
    public bool IsPortGroup(string name) => _serviceLines.TryGetValue(name, out var s) && s.Protocol is not null;

    /// <summary>The prefixes of a network object or group; null when something in it is not resolved.</summary>
    public List<IpPrefix>? Network(string name, int depth = 0)
    {
        if (depth > 16 || !_networkLines.TryGetValue(name, out var lines)) return null;
        var prefixes = new List<IpPrefix>();
        foreach (string line in lines)
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            IpPrefix prefix;
            if (w is ["host", _] or ["network-object", "host", _] && PolicyValues.TryPrefix(w[^1], out prefix)) prefixes.Add(prefix);
            else if (w is ["subnet" or "network-object", _, _] && (PolicyValues.TryMask(w[1], w[2], out prefix) || PolicyValues.TryPrefix(w[1] + "/" + w[2], out prefix)))
                prefixes.Add(prefix);
            else if (w is ["subnet" or "network-object", _] && PolicyValues.TryPrefix(w[1], out prefix)) prefixes.Add(prefix);
            else if (w is ["range", _, _] && Common.IpAddr.TryParse(w[1], out var low) && Common.IpAddr.TryParse(w[2], out var high))
                prefixes.AddRange(NftMatches.RangePrefixes(low, high));
            else if (w is ["network-object", "object", _] or ["group-object", _] && Network(w[^1], depth + 1) is { } nested) prefixes.AddRange(nested);
            else return null;
        }
        return prefixes;
    }

    /// <summary>The protocols of a protocol group; null when something in it is not resolved.</summary>
    public List<byte>? Protocols(string name, int depth = 0)
    {
        if (depth > 16 || !_protocolLines.TryGetValue(name, out var lines)) return null;
        var protocols = new List<byte>();
        foreach (string line in lines)
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w is ["protocol-object", var p] && AsaEntry.TryProtocol(p, out var single)) protocols.AddRange(single ?? []);
            else if (w is ["group-object", var g] && Protocols(g, depth + 1) is { } nested) protocols.AddRange(nested);
            else return null;
        }
        return protocols;
    }

    /// <summary>The services of a service object or group; null when something in it is not resolved.</summary>
    public List<AsaService>? Services(string name, int depth = 0)
    {
        if (depth > 16 || !_serviceLines.TryGetValue(name, out var definition)) return null;
        var services = new List<AsaService>();
        List<byte>? groupProtocols = definition.Protocol is { } p ? AsaEntry.TryProtocol(p, out var ps) ? ps : null : null;
        foreach (string line in definition.Lines)
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            switch (w[0])
            {
                case "port-object" when AsaEntry.TryPorts(w, 1, out var ports, out _):
                    services.Add(new AsaService(groupProtocols, null, ports));
                    break;
                case "service" or "service-object" when w.Count > 2 && w[1] == "object":
                    if (Services(w[2], depth + 1) is not { } referenced) return null;
                    services.AddRange(referenced);
                    break;
                case "service" or "service-object" when w.Count > 1 && AsaEntry.TryProtocol(w[1], out var protocols):
                    if (ServicePorts(w, protocols) is not { } service) return null;
                    services.Add(service);
                    break;
                case "group-object" when w.Count > 1:
                    if (Services(w[1], depth + 1) is not { } inner) return null;
                    services.AddRange(inner);
                    break;
                default:
                    return null;
            }
        }
        return services;
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
