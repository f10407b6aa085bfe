using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Audit.Drafting;

/// <summary>
/// A host that serves Remote Desktop (TCP 3389) or SMB (TCP 445, 139) to <see cref="MinimumClients"/> or more distinct
/// clients is a server, not a workstation: a workstation's Remote Desktop or shares are used by an administrator or
/// two, while a terminal server or a file server is used by many. The catalog lets a workstation serve both (NetMeeting
/// Remote Desktop Sharing, its own shares), so the model, whose labels hold many more workstations than terminal or file
/// servers, once drafted two terminal servers and a branch file server as workstations. Only the suggestions change:
/// the model's fitting and its probabilities are left as they are.
/// </summary>
public static class SharedServerGuard
{
    /// <summary>Distinct clients of one such service from which its host is a server.</summary>
    public const int MinimumClients = 3;

    /// <summary>The role a host serving each port to many clients plays, by the catalog's names.</summary>
    private static readonly (int Port, string Role, string Service)[] Services =
        [(3389, "terminal-server", "RDP"), (445, "file-server", "SMB"), (139, "file-server", "SMB")];

    private const string Workstation = "workstation";

    /// <summary>The services <paramref name="host"/> served to many clients, with the server role each names (one line each for evidence).</summary>
    public static IReadOnlyList<(ServedService Service, string Role, string Name)> ManyClientServices(HostEvidence host) =>
        host.Served
            .Where(s => s.Transport == Transport.Tcp && s.Peers.Count >= MinimumClients)
            .SelectMany(s => Services.Where(k => k.Port == s.Port).Select(k => (s, k.Role, k.Service)))
            .ToList();

    /// <summary>
    /// <paramref name="ranked"/> for a host that served RDP or SMB to many clients: the sets holding the server role
    /// (with the roles they imply) first, in their order; sets with <c>workstation</c> and no such role are left out,
    /// unless nothing else is left. Any other host's ranking is returned as it is.
    /// </summary>
    public static IReadOnlyList<RoleSetScore> Prefer(HostEvidence host, IReadOnlyList<RoleSetScore> ranked, RoleEvidenceIndex index)
    {
        var roles = ManyClientServices(host).Select(s => s.Role).Distinct().ToList();
        if (roles.Count == 0) return ranked;
        bool Serves(RoleSetScore set) => index.Closure(set.Roles).Any(roles.Contains);
        bool IsWorkstation(RoleSetScore set) => index.Closure(set.Roles).Contains(Workstation);
        var kept = ranked.Where(Serves).Concat(ranked.Where(s => !Serves(s) && !IsWorkstation(s))).ToList();
        return kept.Count > 0 ? kept : ranked;
    }
}
