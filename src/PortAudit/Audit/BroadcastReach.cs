using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Audit;

/// <summary>
/// The receivers of one client's subnet broadcast: the inventory hosts inside the broadcast's prefix other than the client
/// itself. The audit judges the flow against their roles, and says so in its reason and wherever it names the server end.
/// </summary>
public sealed class BroadcastReach
{
    // Enough names for a reader to recognise the segment; the count says how many more there are.
    private const int NamesShown = 3;

    /// <summary>The reach of a broadcast to <paramref name="domain"/> that <paramref name="hosts"/> (at least one) receive.</summary>
    public BroadcastReach(BroadcastDomain domain, IReadOnlyList<InventoryHost> hosts)
    {
        Domain = domain;
        Hosts = hosts;
        RoleIds = hosts.SelectMany(h => h.Roles).Distinct(StringComparer.Ordinal).ToArray();
        Prefixes = [IpPrefix.Single(domain.Address)];
        Label = $"(broadcast:{domain.Name} {domain.Address})";
        string names = string.Join(", ", hosts.Take(NamesShown).Select(h => h.Name)) + (hosts.Count > NamesShown ? ", ..." : "");
        Description = $"broadcast to {domain.Name} {domain.Address}: reaches {hosts.Count} {(hosts.Count == 1 ? "host" : "hosts")} ({names})";
    }

    /// <summary>The broadcast address, its prefix and the segment that gives it.</summary>
    public BroadcastDomain Domain { get; }

    /// <summary>The inventory host entries the broadcast reaches, in file order; a host group stands for its members.</summary>
    public IReadOnlyList<InventoryHost> Hosts { get; }

    /// <summary>The roles of the hosts reached, each once, in the order met.</summary>
    public IReadOnlyList<string> RoleIds { get; }

    /// <summary>The broadcast address as a prefix of one address, for display filters.</summary>
    public IReadOnlyList<IpPrefix> Prefixes { get; }

    /// <summary>How reports name the server end: "(broadcast:winlab 10.78.0.255)", never one of the hosts.</summary>
    public string Label { get; }

    /// <summary>The verdict's reason: "broadcast to winlab 10.78.0.255: reaches 5 hosts (dc01, fs01, wins01, ...)".</summary>
    public string Description { get; }
}
