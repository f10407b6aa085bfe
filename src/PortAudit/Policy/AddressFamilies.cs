using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// How the two sides of a least-privilege rule split by address family: a firewall rule matches one family (nftables
/// ip or ip6, iptables or ip6tables), so hosts with both get a rule per family, a side of one family pairs only with it,
/// and a protocol of one family (ICMP over IPv4, ICMPv6 over IPv6) only with its own.
/// </summary>
internal static class AddressFamilies
{
    /// <summary>True when <paramref name="protocol"/> runs over IPv4 (everything but ICMPv6).</summary>
    public static bool RunsOverV4(byte protocol) => protocol != IpProtocol.IcmpV6;

    /// <summary>True when <paramref name="protocol"/> runs over IPv6 (everything but ICMP, whose IPv6 form is ICMPv6).</summary>
    public static bool RunsOverV6(byte protocol) => protocol != IpProtocol.Icmp;

    /// <summary>
    /// The (from, to) prefix lists per family the protocol runs over, IPv4 first, each by network; null stays any address.
    /// Empty when the sides have no pair of such a family. Both sides any is one pair, once.
    /// </summary>
    public static IEnumerable<(IReadOnlyList<IpPrefix>? From, IReadOnlyList<IpPrefix>? To)> Pairs(
        IReadOnlyList<IpPrefix>? from, IReadOnlyList<IpPrefix>? to, byte protocol)
    {
        foreach (bool v4 in new[] { true, false })
        {
            if (!(v4 ? RunsOverV4(protocol) : RunsOverV6(protocol))) continue;
            var f = Of(from, v4);
            var t = Of(to, v4);
            if (f is { Count: 0 } || t is { Count: 0 }) continue;
            yield return (f, t);
            // Any to any has no family: written once, in the first the protocol runs over.
            if (f is null && t is null) yield break;
        }
    }

    private static List<IpPrefix>? Of(IReadOnlyList<IpPrefix>? prefixes, bool v4) =>
        prefixes?.Where(p => p.IsV4 == v4).OrderBy(p => p.Network).ToList();
}
