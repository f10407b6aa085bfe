using PortAudit.Catalog;

namespace PortAudit.Policy;

/// <summary>Reads one ASA access-list entry (ACE) into normalised rules: one per service it names.</summary>
internal static class AsaEntry
{
    /// <summary>Reads "ip", "tcp", "tcp-udp", "6"; null protocols for any IP protocol.</summary>
    public static bool TryProtocol(string text, out List<byte>? protocols)
    {
        protocols = null;
        if (text == "ip") return true;
        if (text == "tcp-udp") { protocols = [IpProtocol6.Tcp, IpProtocol6.Udp]; return true; }
        if (text == "icmp6") { protocols = [58]; return true; }
        if (!PolicyValues.TryProtocol(text, out byte protocol)) return false;
        protocols = [protocol];
        return true;
    }

    private static class IpProtocol6
    {
        public const byte Tcp = 6;
        public const byte Udp = 17;
    }

    /// <summary>Reads "eq P", "neq P", "lt P", "gt P", "range A B" at <paramref name="i"/>.</summary>
    public static bool TryPorts(List<string> w, int i, out PortMatch? ports, out int used)
    {
        ports = null;
        used = 0;
        if (i + 1 >= w.Count) return false;
        int port = 0;
        bool single = w[i] is "eq" or "neq" or "lt" or "gt" && PolicyValues.TryPort(w[i + 1], out port);
        switch (w[i])
        {
            case "eq" when single: ports = new PortMatch([new PortRange(port, port)]); used = 2; return true;
            case "neq" when single: ports = new PortMatch([new PortRange(port, port)], Negated: true); used = 2; return true;
            case "lt" when single && port > 0: ports = new PortMatch([new PortRange(0, port - 1)]); used = 2; return true;
            case "gt" when single && port < PortRange.MaxPort: ports = new PortMatch([new PortRange(port + 1, PortRange.MaxPort)]); used = 2; return true;
            case "range" when i + 2 < w.Count && PolicyValues.TryPort(w[i + 1], out int low) && PolicyValues.TryPort(w[i + 2], out int high) && low <= high:
                ports = new PortMatch([new PortRange(low, high)]);
                used = 3;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The rules of the entry <paramref name="w"/>, whose "extended"/"standard" word is at <paramref name="k"/>.</summary>
    public static List<PolicyRuleBuilder> Read(List<string> w, int k, PolicyLocation location, PolicyIssues issues, AsaObjects objects)
    {
        var rule = new PolicyRuleBuilder(location, issues) { Action = w[k + 1] == "permit" ? PolicyAction.Accept : PolicyAction.Drop };
        int i = k + 2;
        if (w[k] == "standard")
        {
            rule.Destination = Address(rule, w, ref i, objects);
            return [rule];
        }
        var services = Services(rule, w, ref i, objects);
        rule.Source = Address(rule, w, ref i, objects);
        bool ported = services.Any(s => s.Protocols is { } p && p.Any(x => x is 6 or 17 or 132));
        var sourcePorts = ported ? PortsAt(rule, w, ref i, objects) : null;
        rule.Destination = Address(rule, w, ref i, objects);
        var destinationPorts = ported ? PortsAt(rule, w, ref i, objects) : null;
        Trailer(rule, w, i, icmp: services.All(s => s.Protocols is [1] or [58]));
        if (!objects.TakeEntry(services.Count, Elements(rule.Source), Elements(rule.Destination)))
            return [Refused(rule, w, k, services.Count, objects.ExpansionLimit, sourcePorts, destinationPorts)];
        var rules = new List<PolicyRuleBuilder>();
        foreach (var service in services)
        {
            var copy = rules.Count == 0 ? rule : rule.Copy();
            copy.Protocols = service.Protocols is null ? null : [.. service.Protocols];
            copy.SourcePorts = sourcePorts ?? service.SourcePorts;
            copy.DestinationPorts = destinationPorts ?? service.DestinationPorts;
            if (service.Undecidable is { } undecidable) copy.Undecidable(undecidable);
            rules.Add(copy);
        }
        return rules;
    }

    // The elements a side adds to the entry's expansion: each prefix of a group ("any" is one).
    private static long Elements(AddressMatch? side) => Math.Max(1, side?.Prefixes.Count ?? 1);

    // An entry past the budget stays one rule that may match any service between its sides: not understood at its line.
    private static PolicyRuleBuilder Refused(PolicyRuleBuilder rule, List<string> w, int k, int services, long limit, PortMatch? sourcePorts, PortMatch? destinationPorts)
    {
        rule.Unknown(string.Join(' ', w.Skip(k)), FormattableString.Invariant(
            $"access-list entries and object-groups that expand to at most {limit:N0} elements in all (services x sources x destinations; this entry: {services:N0} x {Elements(rule.Source):N0} x {Elements(rule.Destination):N0})"));
        rule.SourcePorts = sourcePorts;
        rule.DestinationPorts = destinationPorts;
        return rule;
    }

    // Protocol position: a protocol, a service object, a service or protocol group.
    private static List<AsaService> Services(PolicyRuleBuilder rule, List<string> w, ref int i, AsaObjects objects)
    {
        if (i >= w.Count) { rule.Unknown(string.Join(' ', w), "a protocol after permit or deny"); return [new AsaService(null, null, null)]; }
        string word = w[i++];
        if (word is "object" or "object-group" && i < w.Count)
        {
            string name = w[i++];
            if (objects.IsProtocolGroup(name) && objects.Protocols(name) is { } protocols)
                return [new AsaService([.. protocols], null, null)];
            if (objects.Services(name) is { Count: > 0 } services)
                return [.. services];
            if (TryProtocol(name, out var named) && named is not null)
                return [new AsaService(named, null, null)];
            if (BuiltInIcmp(name))
                return [new AsaService([1], null, null, $"{word} {name}")];
            rule.Unknown($"{word} {name}", "a service object, service group or protocol group defined in the file");
            return [new AsaService(null, null, null)];
        }
        if (TryProtocol(word, out var single)) return [new AsaService(single, null, null)];
        rule.Unknown(word, "a protocol (ip, tcp, udp, icmp, a number) or object/object-group");
        return [new AsaService(null, null, null)];
    }

    // ASA's predefined service objects for ICMP messages ("object icmp-echo") name a protocol and a message type.
    private static bool BuiltInIcmp(string name) => name.StartsWith("icmp", StringComparison.Ordinal);

    private static AddressMatch? Address(PolicyRuleBuilder rule, List<string> w, ref int i, AsaObjects objects)
    {
        if (i >= w.Count) { rule.Unknown(string.Join(' ', w), "an address (any, host A, A MASK, object, object-group)"); return null; }
        string word = w[i++];
        switch (word)
        {
            case "any":
                return null;
            case "any4":
                return new AddressMatch([PolicyValues.Anywhere[0]]);
            case "any6":
                return new AddressMatch([PolicyValues.Anywhere[1]]) { SetName = "any6" };
            case "host" when i < w.Count && PolicyValues.TryPrefix(w[i], out var host):
                i++;
                return new AddressMatch([host]);
            case "object" or "object-group" when i < w.Count:
                string name = w[i++];
                if (objects.Network(name) is { } prefixes) return new AddressMatch(prefixes) { SetName = $"{word} {name}" };
                rule.Unknown($"{word} {name}", "a network object or group defined in the file, with hosts, subnets or ranges");
                return new AddressMatch([]) { SetName = $"{word} {name}", Unresolved = true };
            case "interface" when i < w.Count:
                string iface = w[i++];
                rule.Unknown($"interface {iface}", "the ASA's own address on that interface is not in the access-list");
                return new AddressMatch([]) { SetName = $"interface {iface}", Unresolved = true };
        }
        if (i < w.Count && PolicyValues.TryMask(word, w[i], out var subnet)) { i++; return new AddressMatch([subnet]); }
        if (PolicyValues.TryPrefix(word, out var v6)) return new AddressMatch([v6]);
        rule.Unknown(word, "an address (any, host A, A MASK, object, object-group)");
        return new AddressMatch([]) { SetName = word, Unresolved = true };
    }

    private static PortMatch? PortsAt(PolicyRuleBuilder rule, List<string> w, ref int i, AsaObjects objects)
    {
        if (TryPorts(w, i, out var ports, out int used)) { i += used; return ports; }
        if (i + 1 < w.Count && w[i] == "object-group" && objects.IsPortGroup(w[i + 1]))
        {
            string name = w[i + 1];
            i += 2;
            if (objects.Services(name) is { } services && services.All(s => s.DestinationPorts is not null))
                return new PortMatch(services.SelectMany(s => s.DestinationPorts!.Ranges).ToList());
            rule.Unknown($"object-group {name}", "a port group with port-object eq/range entries");
        }
        return null;
    }

    // After the destination: log options, time-range, inactive, ICMP types.
    private static void Trailer(PolicyRuleBuilder rule, List<string> w, int i, bool icmp)
    {
        for (; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "log":
                    while (i + 1 < w.Count && w[i + 1] is not ("time-range" or "inactive")) i++;
                    break;
                case "inactive":
                    rule.Enabled = false;
                    break;
                case "time-range" when i + 1 < w.Count:
                    rule.Undecidable($"time-range {w[++i]}");
                    break;
                default:
                    if (icmp) rule.Undecidable($"icmp-type {w[i]}");
                    else rule.Unknown(string.Join(' ', w.Skip(i)), "log, time-range or inactive after the destination");
                    return;
            }
        }
    }
}
