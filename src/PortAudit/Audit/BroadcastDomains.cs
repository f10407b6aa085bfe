using System.Diagnostics.CodeAnalysis;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Audit;

/// <summary>
/// One subnet broadcast address of the inventory: the prefix whose all-ones host part it is, the name of the segment or
/// host entry that gives the prefix, and the inventory hosts whose addresses lie inside it (its receivers).
/// </summary>
/// <param name="Address">The broadcast address, e.g. 10.78.0.255.</param>
/// <param name="Prefix">The prefix it is the broadcast of, e.g. 10.78.0.0/24.</param>
/// <param name="Name">The segment (or host entry) that gives the prefix.</param>
/// <param name="Hosts">Inventory host entries with an address or prefix inside <paramref name="Prefix"/>, in file order.</param>
public sealed record BroadcastDomain(IpAddr Address, IpPrefix Prefix, string Name, IReadOnlyList<InventoryHost> Hosts);

/// <summary>
/// The subnet broadcast addresses of the inventory's IPv4 prefixes (segments and host entries): the address with the host
/// part all ones, e.g. 10.0.11.255 for 10.0.8.0/22. A /31 or /32 has none (RFC 3021: its all-ones address is a host).
/// Both the silence policy (a broadcast never answers as one host would) and the judging of flows (a broadcast reaches
/// the segment's hosts) read them from here. The limited broadcast 255.255.255.255 and multicast groups are not here:
/// which hosts receive them is not something the inventory says.
/// </summary>
public sealed class BroadcastDomains
{
    private const int V4Offset = 96;
    private const int LongestBroadcastPrefix = 30;

    private readonly Dictionary<IpAddr, BroadcastDomain> _domains = [];

    /// <summary>Finds the broadcast addresses of <paramref name="inventory"/>'s segments and host entries, and the hosts inside each.</summary>
    public BroadcastDomains(Inventory inventory)
    {
        // Segments first: a segment and a host group of the same prefix reach the same hosts, and the segment names the network.
        foreach (var segment in inventory.Segments)
            Add(segment.Prefixes, segment.Name, inventory);
        foreach (var host in inventory.Hosts)
            Add(host.Prefixes, host.Name, inventory);
    }

    /// <summary>Number of distinct broadcast addresses.</summary>
    public int Count => _domains.Count;

    /// <summary>True when <paramref name="address"/> is the subnet broadcast of an inventory prefix.</summary>
    public bool Contains(IpAddr address) => _domains.ContainsKey(address);

    /// <summary>The domain whose broadcast address is <paramref name="address"/>, if any.</summary>
    public bool TryFind(IpAddr address, [MaybeNullWhen(false)] out BroadcastDomain domain) => _domains.TryGetValue(address, out domain);

    /// <summary>
    /// The subnet broadcast address of <paramref name="prefix"/>; false for IPv6, for IPv4 prefixes longer than /30, and
    /// where the all-ones address falls in 224.0.0.0/3: a multicast group, a reserved address or, for 0.0.0.0/0 (an
    /// inventory's Internet), the limited broadcast, none of which is one subnet's broadcast.
    /// </summary>
    public static bool TryGetBroadcast(IpPrefix prefix, out IpAddr broadcast)
    {
        broadcast = default;
        int length = prefix.Length - V4Offset;
        if (!prefix.Network.IsV4 || length > LongestBroadcastPrefix)
            return false;
        uint hostBits = (uint)((1UL << (32 - length)) - 1);
        uint allOnes = prefix.Network.V4 | hostBits;
        if (allOnes >> 29 == 0b111)
            return false;
        broadcast = IpAddr.FromV4(allOnes);
        return true;
    }

    private void Add(IReadOnlyList<IpPrefix> prefixes, string name, Inventory inventory)
    {
        foreach (var prefix in prefixes)
        {
            if (!TryGetBroadcast(prefix, out var broadcast)) continue;
            // 10.0.0.0/23 and 10.0.1.0/24 share 10.0.1.255; the longer prefix names the fewer receivers, so judging never
            // credits a broadcast with hosts it may not have reached.
            if (_domains.TryGetValue(broadcast, out var known) && known.Prefix.Length >= prefix.Length) continue;
            var inside = inventory.Hosts.Where(h => h.Prefixes.Any(prefix.Contains)).ToArray();
            _domains[broadcast] = new BroadcastDomain(broadcast, prefix, name, inside);
        }
    }
}
