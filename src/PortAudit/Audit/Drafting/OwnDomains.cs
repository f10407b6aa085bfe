using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Audit.Drafting;

/// <summary>
/// Tells the deployment's hosts on the Internet from another organisation's, by the DNS names the traffic gave them.
/// The organisations the deployment owns are those its hosts at addresses of private use are named in (the
/// <c>contoso</c> of <c>pool01.contoso.com</c> and of <c>dc01.contoso.local</c>: split-horizon estates name both sides
/// after one company). A host at another address whose DNS names all lie in other organisations (a federation
/// partner's Edge, <c>sip.fabrikam.com</c>) is not one of ours: the catalog's rules with the Internet explain what it
/// did only from our side, and the Edge's own federation rules fit it as well as our Edge. It is drafted by what it
/// asked of us and with roles the catalog gives other organisations' hosts (<see cref="Catalog.Role.Partner"/>), or left unlisted.
/// </summary>
public static class OwnDomains
{
    // Sources whose names are DNS names (a Kerberos service principal after its service class).
    private static readonly HashSet<string> DnsSources = new(StringComparer.Ordinal)
        { "dns", "dns-ptr", "ntlm", "ldap-rootdse", "tls-certificate", "tls-sni", "sip-contact", "kerberos-spn" };

    // Second-level labels under a country code that registries sell names beneath (example.co.uk, example.com.au).
    private static readonly HashSet<string> SecondLevel = new(StringComparer.Ordinal) { "co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go" };

    /// <summary>
    /// <paramref name="hosts"/>, those of another organisation marked (<see cref="HostEvidence.OtherOrganisation"/>);
    /// none when no host at an address of private use has a DNS name (nothing says which organisations are ours).
    /// </summary>
    public static IReadOnlyList<HostEvidence> Mark(IReadOnlyList<HostEvidence> hosts)
    {
        var own = Of(hosts).ToHashSet(StringComparer.Ordinal);
        if (own.Count == 0) return hosts;
        return hosts.Select(h => !IpPrefix.IsPrivateUse(h.Address) && Organisations(h.Names).ToList() is { Count: > 0 } named && !named.Any(own.Contains)
            ? h with { OtherOrganisation = true } : h).ToList();
    }

    /// <summary>The organisations the hosts of <paramref name="hosts"/> at addresses of private use are named in, sorted.</summary>
    public static IReadOnlyList<string> Of(IReadOnlyList<HostEvidence> hosts) =>
        hosts.Where(h => IpPrefix.IsPrivateUse(h.Address)).SelectMany(h => Organisations(h.Names)).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The organisations <paramref name="names"/> name: each DNS name's label left of its public suffix.</summary>
    public static IEnumerable<string> Organisations(IEnumerable<HostName> names) =>
        names.Where(n => DnsSources.Contains(n.Source)).Select(n => Organisation(n.Name)).OfType<string>().Distinct();

    /// <summary>
    /// The label left of <paramref name="name"/>'s public suffix (<c>contoso</c> for <c>sip.contoso.com</c> and
    /// <c>www.contoso.co.uk</c>), or null for a name of one label or an address. The suffix is the last label, or the last
    /// two under a country code whose second level is a registry's (<c>co.uk</c>): an approximation of the public suffix
    /// list that is right for the names enterprises give their servers.
    /// </summary>
    public static string? Organisation(string name)
    {
        string host = name[(name.IndexOf('/') + 1)..].TrimEnd('.').ToLowerInvariant();
        if (host.StartsWith("*.", StringComparison.Ordinal)) host = host[2..];
        if (IpAddr.TryParse(host, out _)) return null;
        var labels = host.Split('.');
        if (labels.Length < 2 || labels.Any(l => l.Length == 0)) return null;
        int suffix = labels.Length >= 3 && labels[^1].Length == 2 && SecondLevel.Contains(labels[^2]) ? 2 : 1;
        return labels[^(suffix + 1)];
    }
}
