namespace PortAudit.Common;

/// <summary>
/// A list of prefixes without those inside another of the list: what a firewall match needs, as an inner prefix adds
/// nothing to it. Sorted by family, network and length, a prefix inside another follows it, and every prefix between
/// them lies inside it too (prefixes nest or are apart), so one pass that keeps a prefix only when the last one kept does
/// not contain it is enough: O(n log n), where comparing every pair made an inventory of 20,000 hosts take seconds.
/// </summary>
internal static class OutermostPrefixes
{
    /// <summary>The prefixes of <paramref name="prefixes"/> that no other of them contains, once each: IPv4 first, then IPv6, each by network, then length.</summary>
    public static List<IpPrefix> Of(IEnumerable<IpPrefix> prefixes)
    {
        var sorted = prefixes.ToList();
        sorted.Sort(FamilyNetworkLength);
        var kept = new List<IpPrefix>();
        foreach (var prefix in sorted)
            if (kept.Count == 0 || !kept[^1].Contains(prefix))
                kept.Add(prefix);
        return kept;
    }

    // The family first: IPv6 networks sort on both sides of the IPv4-mapped range, so ::/0 would stand apart from the
    // IPv6 prefixes it contains, with IPv4 ones in between.
    private static int FamilyNetworkLength(IpPrefix a, IpPrefix b)
    {
        int family = b.IsV4.CompareTo(a.IsV4);
        if (family != 0) return family;
        int network = a.Network.CompareTo(b.Network);
        return network != 0 ? network : a.Length.CompareTo(b.Length);
    }
}
