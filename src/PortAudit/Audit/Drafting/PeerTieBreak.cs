using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Audit.Drafting;

/// <summary>What the draft suggests for one host.</summary>
/// <param name="Host">The host.</param>
/// <param name="Ranked">The sets a draft may suggest, most probable first (<see cref="RoleSetModel.Suggest(HostEvidence, RoleEvidenceIndex, int, out bool)"/>).</param>
/// <param name="UnlistedInternet">True for an Internet address some role would explain but that the catalog leaves unlisted.</param>
public sealed record HostSuggestion(HostEvidence Host, IReadOnlyList<RoleSetScore> Ranked, bool UnlistedInternet);

/// <summary>
/// Orders the sets a host's evidence cannot tell apart by what its peers were drafted. The model gives two sets the same
/// probability when their roles explain the same ports and no labelled inventory used either (Cisco Unity and Exchange,
/// both answering SMB and asking the directory), and which came first was an accident of the candidates' order. The
/// first is now the set whose rules take the peers the host worked with in the roles they were drafted with: a Unity
/// failover partner's SMB to the other Unity server is a Unity rule's, while Exchange's SMB goes to the domain
/// controllers. Only such ties are reordered: judging every host by its peers' drafts let one wrong draft pull its peers
/// after it (docs/audit.md, "Drafting an inventory").
/// </summary>
public static class PeerTieBreak
{
    // Probabilities this close are one: the same features give the same score, up to rounding in the renormalisation.
    private const double Tolerance = 1e-9;

    /// <summary>
    /// Suggestions for each of <paramref name="hosts"/>, in order, at most <paramref name="top"/> sets each: the model's,
    /// then sets tied first ordered by the peers' first suggestions, or by the roles <paramref name="known"/> gives an
    /// address (an existing inventory's).
    /// </summary>
    public static IReadOnlyList<HostSuggestion> SuggestAll(RoleSetModel model, IReadOnlyList<HostEvidence> hosts, RoleEvidenceIndex index, int top,
        Func<IpAddr, IReadOnlyList<string>?>? known = null)
    {
        // Each host's ranking kept only as far as the draft shows it and its ties reach: all of every host's would be held at once.
        var first = hosts.Select(h => new HostSuggestion(h, Head(model.Suggest(h, index, int.MaxValue, out bool unlisted), top), unlisted)).ToList();
        var drafted = first.Where(s => s.Ranked.Count > 0).ToDictionary(s => s.Host.Address, s => index.Closure(s.Ranked[0].Roles));
        IReadOnlyList<string> PeerRoles(IpAddr peer) =>
            known?.Invoke(peer) is { } roles ? index.Closure(roles) : drafted.GetValueOrDefault(peer) ?? [];
        return first.Select(s => s with { Ranked = Order(s.Host, s.Ranked, PeerRoles, index).Take(top).ToList() }).ToList();
    }

    /// <summary>
    /// <paramref name="ranked"/> with the sets tied first ordered by how many of the host's (service, peer) pairs a rule
    /// of theirs explains taking the peer as <paramref name="peerRoles"/> says (<see cref="RoleEvidenceIndex.AgreesWithPeer"/>);
    /// the rest as they were.
    /// </summary>
    public static IReadOnlyList<RoleSetScore> Order(HostEvidence host, IReadOnlyList<RoleSetScore> ranked, Func<IpAddr, IReadOnlyList<string>> peerRoles,
        RoleEvidenceIndex index)
    {
        int tied = Tied(ranked);
        if (tied < 2) return ranked;
        var pairs = host.Served.SelectMany(s => s.Peers.Select(p => (Service: s, Peer: p, AsServer: true)))
            .Concat(host.Initiated.SelectMany(s => s.Peers.Select(p => (Service: s, Peer: p, AsServer: false))))
            .Select(p => (p.Service, p.AsServer, Roles: peerRoles(p.Peer))).ToList();
        return ranked.Take(tied)
            .OrderByDescending(set => pairs.Count(p => set.Roles.Any(role => index.AgreesWithPeer(role, p.Service, p.AsServer, p.Roles))))
            .Concat(ranked.Skip(tied)).ToList();
    }

    // How many sets share the first one's probability.
    private static int Tied(IReadOnlyList<RoleSetScore> ranked) =>
        ranked.Count == 0 ? 0 : ranked.TakeWhile(s => ranked[0].Probability - s.Probability <= Tolerance * ranked[0].Probability).Count();

    // The first top sets, or all tied first when more.
    private static IReadOnlyList<RoleSetScore> Head(IReadOnlyList<RoleSetScore> ranked, int top) =>
        ranked.Count <= top ? ranked : ranked.Take(Math.Max(top, Tied(ranked))).ToList();
}
