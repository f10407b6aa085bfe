using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>How two rules, or a rule and a catalog instance, relate: one covering the other (shadowing), or overlapping (justifying).</summary>
internal static class RuleRelations
{
    /// <summary>True when the rule can decide a new connection that is not on the loopback interface.</summary>
    public static bool SeesNewConnections(PolicyRule rule) =>
        rule.Enabled && (rule.States is not { } states || (states & ConnectionStates.New) != 0) && rule.InInterface != "lo" && rule.OutInterface != "lo";

    /// <summary>
    /// True when <paramref name="earlier"/> matches every packet <paramref name="later"/> matches, for sure: the later rule of
    /// a first-match chain never decides anything.
    /// </summary>
    public static bool Covers(PolicyRule earlier, PolicyRule later)
    {
        if (earlier.Undecidable.Count > 0 || !earlier.Enabled || !later.Enabled) return false;
        if (earlier.Family != 0 && earlier.Family != later.Family) return false;
        if (earlier.Protocols is { } p && (later.Protocols is not { } q || !q.All(p.Contains))) return false;
        if (earlier.States is { } s && (later.States is not { } t || (t & ~s) != 0)) return false;
        if (earlier.Translated is { } translated && later.Translated != translated) return false;
        if (earlier.SourceTranslated is { } snat && later.SourceTranslated != snat) return false;
        // Either flag (ct status snat,dnat) is the weaker condition: it covers both, and neither alone covers it.
        if (later.AnyTranslation && !earlier.AnyTranslation && (earlier.Translated is not null || earlier.SourceTranslated is not null)) return false;
        if (earlier.DestinationTypes is { } types && (later.DestinationTypes is not { } asked || (asked & ~types) != 0)) return false;
        if (earlier.InInterface is not null && earlier.InInterface != later.InInterface) return false;
        if (earlier.OutInterface is not null && earlier.OutInterface != later.OutInterface) return false;
        return CoversAddresses(earlier.Source, later.Source) && CoversAddresses(earlier.Destination, later.Destination)
            && CoversPorts(earlier.SourcePorts, later.SourcePorts) && CoversPorts(earlier.DestinationPorts, later.DestinationPorts);
    }

    private static bool CoversAddresses(AddressMatch? wide, AddressMatch? narrow)
    {
        if (wide is null) return true;
        // Any address of a family covers what cannot be listed; listed prefixes go by containment below, which keeps the
        // families apart (ASA any6, ::/0, covers no IPv4 address).
        if (wide.IsAny && (narrow is null || narrow.Unresolved || narrow.Negated)) return true;
        if (narrow is null || wide.Unresolved || narrow.Unresolved || wide.Negated || narrow.Negated) return false;
        foreach (var prefix in narrow.Prefixes)
            if (!PrefixContainment.AnyContains(wide, prefix)) return false;
        return true;
    }

    private static bool CoversPorts(PortMatch? wide, PortMatch? narrow)
    {
        if (wide is null) return true;
        if (narrow is null || wide.Negated || narrow.Negated) return false;
        return narrow.Ranges.All(n => wide.Ranges.Any(w => w.Contains(n)));
    }

    /// <summary>True when some connection the catalog instance needs would match <paramref name="rule"/> (sure or maybe).</summary>
    public static bool Overlaps(PolicyRule rule, Rule catalogRule, IReadOnlyList<IpPrefix>? from, IReadOnlyList<IpPrefix>? to, IReadOnlyList<PortRange> ports)
    {
        if (rule.Protocols is { } protocols && !catalogRule.Transports.Any(t => protocols.Contains((byte)t))) return false;
        if (rule.DestinationPorts is { } wanted && ports.Count > 0 && !ports.Any(r => OverlapsPorts(wanted, r))) return false;
        return OverlapsAddresses(rule.Source, from) && OverlapsAddresses(rule.Destination, to);
    }

    private static bool OverlapsPorts(PortMatch match, PortRange range) =>
        match.Negated ? !match.Ranges.Any(r => r.Contains(range)) : match.Ranges.Any(r => r.Low <= range.High && range.Low <= r.High);

    // null prefixes: the instance's side is any host.
    private static bool OverlapsAddresses(AddressMatch? match, IReadOnlyList<IpPrefix>? prefixes)
    {
        if (match is null || prefixes is null || match.Unresolved || match.Negated) return true;
        return prefixes.Any(p => match.Prefixes.Any(m => m.Contains(p.Network) || p.Contains(m.Network)));
    }

    /// <summary>
    /// Why an allowing rule is broader than the catalog instances that justify it: any source, any destination, any protocol,
    /// ports beyond theirs. Empty when it is not.
    /// </summary>
    public static List<string> Broader(PolicyRule rule, IReadOnlyList<(Rule Rule, IReadOnlyList<IpPrefix>? From, IReadOnlyList<PortRange> Ports)> justifying)
    {
        var reasons = new List<string>();
        if (rule.Protocols is null) reasons.Add("any protocol");
        if ((rule.Source is null || rule.Source.IsAny) && justifying.All(j => j.From is not null)) reasons.Add("any source, where the catalog names its clients");
        if (rule.Destination is null && rule.DestinationPorts is null && rule.Protocols is null) reasons.Add("any destination and port");
        if (rule.DestinationPorts is null && justifying.All(j => j.Ports.Count > 0) && rule.Protocols is not null && rule.Protocols.Any(p => p is 6 or 17))
            reasons.Add("any port");
        else if (rule.DestinationPorts is { Negated: false } ports)
        {
            var needed = justifying.SelectMany(j => j.Ports).ToList();
            var beyond = ports.Ranges.Where(r => !needed.Any(n => n.Contains(r))).ToList();
            if (beyond.Count > 0 && needed.Count > 0) reasons.Add($"ports {string.Join(",", beyond)} beyond the catalog's {string.Join(",", needed.Distinct())}");
        }
        return reasons;
    }
}
