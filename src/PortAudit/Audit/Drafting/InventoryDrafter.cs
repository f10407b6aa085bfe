using System.Globalization;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Audit.Drafting;

/// <summary>A draft inventory: the drafted entries and what the traffic said of the deployment as a whole.</summary>
/// <param name="Hosts">Drafted entries, in address order (client groups where their first member was).</param>
/// <param name="Realms">Kerberos realms seen.</param>
public sealed record InventoryDraft(IReadOnlyList<DraftHost> Hosts, IReadOnlyList<string> Realms)
{
    /// <summary>
    /// Addresses on the Internet that some catalog role would explain but no rule with the Internet does, in address
    /// order: left unlisted, in the external zone (<see cref="RoleSetModel.Suggest(HostEvidence, RoleEvidenceIndex, int, out bool)"/>), and named in the draft's header.
    /// </summary>
    public IReadOnlyList<IpAddr> UnlistedInternet { get; init; } = [];

    /// <summary>
    /// Addresses on the Internet named only in other organisations' domains that no partner role explains, in address
    /// order: left unlisted like <see cref="UnlistedInternet"/> (<see cref="OwnDomains"/>).
    /// </summary>
    public IReadOnlyList<IpAddr> OtherOrganisations { get; init; } = [];

    /// <summary>The organisations the hosts at addresses of private use are named in (<see cref="OwnDomains.Of"/>), sorted.</summary>
    public IReadOnlyList<string> OwnOrganisations { get; init; } = [];
}

/// <summary>One entry of a draft inventory: a host, or a group of clients with the same roles, with why.</summary>
/// <param name="Name">Host name for the inventory (from the traffic's names when it gave one).</param>
/// <param name="Prefixes">Its address, or the prefix of the client group.</param>
/// <param name="Roles">Suggested roles, written shortest (a role another of them implies left out, see <see cref="RoleEvidenceIndex.Minimal"/>).</param>
/// <param name="Confidence">The model's probability of exactly this role set, 0-1 (for a group, the lowest of its members).</param>
/// <param name="Evidence">Lines saying what supports the roles: served and initiated ports with their rules, names, SRV records, RPC interfaces, runner-up sets.</param>
public sealed record DraftHost(string Name, IReadOnlyList<IpPrefix> Prefixes, IReadOnlyList<string> Roles, double Confidence, IReadOnlyList<string> Evidence)
{
    /// <summary>True when a reviewer must look before trusting it: low confidence, or an address on the Internet.</summary>
    public bool NeedsReview => Confidence < InventoryDrafter.ReviewBelow || Prefixes.Any(p => !IpPrefix.IsPrivateUse(p.Network));
}

/// <summary>
/// Turns what the traffic showed of each address into draft inventory entries: the most probable role set of
/// <see cref="RoleSetModel"/>, a name from the traffic, the evidence, and clients (hosts that served nothing the catalog
/// explains) with the same roles grouped into their /24 (IPv4) or /64 (IPv6) prefix. An address no catalog role explains is left out:
/// an inventory that names it would change how the audit judges it.
/// </summary>
public sealed class InventoryDrafter(RoleSetModel model, RoleEvidenceIndex index)
{
    /// <summary>Entries whose role set has a lower probability are marked for review.</summary>
    public const double ReviewBelow = 0.6;

    // Runner-up sets listed in the evidence.
    private const int Alternatives = 2;

    /// <summary>
    /// Draft entries for <paramref name="hosts"/>, leaving out those <paramref name="skip"/> accepts (already in an
    /// inventory), and the Internet hosts left unlisted though a catalog role would explain them
    /// (<see cref="InventoryDraft.UnlistedInternet"/>, <see cref="InventoryDraft.OtherOrganisations"/>). Sets the
    /// evidence cannot tell apart are ordered by the peers' drafts, or by the roles <paramref name="known"/> states
    /// (<see cref="PeerTieBreak"/>).
    /// </summary>
    public (IReadOnlyList<DraftHost> Entries, IReadOnlyList<HostEvidence> Unlisted) Draft(IReadOnlyList<HostEvidence> hosts,
        Func<IpAddr, bool>? skip = null, IReadOnlyCollection<string>? takenNames = null, Func<IpAddr, IReadOnlyList<string>?>? known = null)
    {
        var drafted = new List<(HostEvidence Host, RoleSetScore Best, IReadOnlyList<RoleSetScore> Ranked)>();
        var unlisted = new List<HostEvidence>();
        foreach (var (host, ranked, unlistedInternet) in PeerTieBreak.SuggestAll(model, hosts.Where(h => skip?.Invoke(h.Address) != true).ToList(), index,
                     Alternatives + 1, known))
        {
            if (ranked.Count > 0) drafted.Add((host, ranked[0], ranked));
            else if (unlistedInternet) unlisted.Add(host);
        }
        var names = new HashSet<string>(takenNames ?? [], StringComparer.Ordinal);
        var entries = new List<DraftHost>();
        var groups = drafted.GroupBy(d => IsClient(d.Best) ? (RoleSetModel.Key(d.Best.Roles), GroupPrefix(d.Host.Address)) : ("", IpPrefix.Single(d.Host.Address)))
            .ToList();
        // An inventory gives a prefix one role set, so one group of clients takes a prefix: the largest, the first drafted
        // on a tie. The clients of the other sets there are listed one address each, which the inventory's most specific
        // match judges before the prefix. Two groups given the same /24 made a draft the audit refused.
        var prefixTakenBy = groups.Where(g => g.Key.Item1.Length > 0 && g.Count() >= 2).GroupBy(g => g.Key.Item2)
            .ToDictionary(p => p.Key, p => p.MaxBy(g => g.Count())!.Key.Item1);
        foreach (var group in groups)
        {
            var members = group.ToList();
            if (members.Count >= 2 && prefixTakenBy.GetValueOrDefault(group.Key.Item2) == group.Key.Item1)
            {
                var merged = HostEvidence.Merge(members[0].Host.Address, members.Select(m => m.Host).ToList());
                string name = Unique(names, "clients-" + Label(group.Key.Item2.Network));
                entries.Add(new DraftHost(name, [group.Key.Item2], index.Minimal(members[0].Best.Roles), members.Min(m => m.Best.Probability),
                    [$"{members.Count} clients: {string.Join(", ", members.Take(8).Select(m => m.Host.Address))}{(members.Count > 8 ? ", ..." : "")}",
                     .. Evidence(merged, members[0].Best, [])]));
                continue;
            }
            foreach (var (host, best, ranked) in members)
                entries.Add(new DraftHost(Unique(names, NameOf(host)), [IpPrefix.Single(host.Address)], index.Minimal(best.Roles), best.Probability,
                    Evidence(host, best, ranked.Skip(1).ToList())));
        }
        return (entries, unlisted);
    }

    // A client serves nothing its roles explain: its evidence is all initiated.
    private static bool IsClient(RoleSetScore best) => best.Fits.All(f => f.Served.Count == 0);

    private static IpPrefix GroupPrefix(IpAddr address)
    {
        int length = address.IsV4 ? 96 + 24 : 64;
        return new IpPrefix(IpPrefix.Mask(address, length), length);
    }

    private List<string> Evidence(HostEvidence host, RoleSetScore best, IReadOnlyList<RoleSetScore> others)
    {
        var chosen = index.Minimal(best.Roles);
        var lines = new List<string>();
        foreach (var fit in best.Fits)
        {
            var served = fit.Rules.Where(r => r.AsServer).Select(r => $"{r.Service} {r.Rule.Protocol} ({r.Service.Flows})").ToList();
            var initiated = fit.Rules.Where(r => !r.AsServer).Select(r => $"{r.Service} {r.Rule.Protocol} ({r.Service.Flows})").ToList();
            var line = new StringBuilder(fit.Role).Append(':');
            if (served.Count > 0) line.Append(" serves ").Append(string.Join(", ", served.Take(6)));
            if (initiated.Count > 0) line.Append(served.Count > 0 ? "; uses " : " uses ").Append(string.Join(", ", initiated.Take(6)));
            lines.Add(line.ToString());
        }
        var asked = RoleHints.AsClient(host);
        foreach (var role in best.Roles.Where(r => best.Fits.All(f => f.Role != r)))
            lines.Add(!chosen.Contains(role) ? $"{role}: implied by {string.Join(", ", chosen)} (roles.yaml), not written"
                : asked.Contains(role) ? $"{role}: named by what it asked for, no catalog rule names the client"
                : $"{role}: no port evidence (the set is one inventories use)");
        if (host.Names.Count > 0) lines.Add("names: " + string.Join(", ", host.Names.Take(6)));
        if (host.Services.Count > 0) lines.Add("SRV: " + string.Join(", ", host.Services));
        if (host.RpcInterfaces.Count > 0) lines.Add("RPC interfaces served: " + string.Join(", ", host.RpcInterfaces));
        if (host.Shares.Count > 0) lines.Add("SMB shares clients connected to: " + string.Join(", ", host.Shares));
        foreach (var (service, role, name) in SharedServerGuard.ManyClientServices(host))
            lines.Add($"{name} served to {service.Peers.Count}{(service.Peers.Count >= ServedService.MaxPeers ? " or more" : "")} clients on {service}: a {role}, not a workstation");
        if (host.TakesNameRegistrations) lines.Add("NetBIOS names registered with it, as with a WINS server");
        if (RoleHints.Of(host) is { Count: > 0 } named) lines.Add("named by evidence rules: " + string.Join(", ", named));
        if (host.Attempted.Count > 0) lines.Add("tried at it, unanswered: " + string.Join(", ", host.Attempted.Take(6).Select(s => $"{s} ({s.Flows})")));
        var unexplained = host.Served.Where(s => best.Fits.All(f => f.Rules.All(r => !r.AsServer || r.Service != s))).Take(6).ToList();
        if (unexplained.Count > 0) lines.Add("served, no role of the set explains: " + string.Join(", ", unexplained.Select(s => $"{s} ({s.Flows})")));
        if (others.Count > 0)
            lines.Add("else: " + string.Join("; ", others.Select(o => string.Create(CultureInfo.InvariantCulture, $"[{string.Join(", ", index.Minimal(o.Roles))}] {o.Probability:0.00}"))));
        return lines;
    }

    // The first label of the most telling name that makes a valid inventory name, else the address. Names are most
    // telling first (HostNameCollector.NamesOf).
    private static string NameOf(HostEvidence host)
    {
        foreach (var name in host.Names.Where(HostNameCollector.NamesHost))
            if (Label(name.Name.Split('.')[0]) is { Length: > 0 } label && !char.IsDigit(label[0]))
                return label;
        return "host-" + Label(host.Address);
    }

    private static string Label(IpAddr address) => Label(address.ToString());

    private static string Label(string text)
    {
        var label = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
            label.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        return label.ToString().Trim('-');
    }

    private static string Unique(HashSet<string> taken, string name)
    {
        string unique = name;
        for (int i = 2; !taken.Add(unique); i++) unique = $"{name}-{i}";
        return unique;
    }
}
