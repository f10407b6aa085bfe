using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Inspect;

namespace PortAudit.Audit.Drafting;

/// <summary>
/// Evidence rules: what names a role outright, whatever the model weighs. SRV records pointing at the host
/// (<c>_sipinternaltls._tcp</c>: a Front End pool; <c>_gc._tcp</c>: a global catalog), RPC interfaces only one kind of
/// server offers (NETLOGON, DRSUAPI: a domain controller; EMSMDB: Exchange), a Kerberos KDC answering (a domain
/// controller), clients trying the global catalog's ports at it, answered or not, and what a directory server says of
/// itself (rootDSE <c>isGlobalCatalogReady</c>, the DC locator's flags), NetBIOS names registered with it (a WINS
/// server), and a share of users' files that clients connected to (a file server). A drafted role set holds every role its host's
/// evidence rules name, and none they deny (a directory server that says it is no global catalog).
/// </summary>
public static class RoleHints
{
    private static readonly (string Prefix, string Role)[] ServiceHints =
    [
        ("_sipinternaltls._tcp.", "lync-front-end"), ("_sipinternal._tcp.", "lync-front-end"),
        ("_sip._tls.", EdgeExternal), ("_sipfederationtls._tcp.", EdgeExternal), ("_xmpp-server._tcp.", EdgeExternal),
        ("_ldap._tcp.", "domain-controller"), ("_kerberos._tcp.", "domain-controller"), ("_kerberos._udp.", "domain-controller"),
        ("_kpasswd._tcp.", "domain-controller"), ("_gc._tcp.", GlobalCatalog),
    ];

    // RPC interfaces only one kind of server offers.
    private static readonly (string Interface, string Role)[] InterfaceHints =
    [
        ("DRSUAPI", "domain-controller"), ("NETLOGON", "domain-controller"), ("DSSETUP", "domain-controller"), ("SAMR", "domain-controller"),
        ("DNSSERVER", "dns-server"), ("ICertPassage", "certificate-authority"), ("NSPI", "global-catalog"), ("RFR", "exchange-server"),
        ("EMSMDB", "exchange-server"), ("AsyncEMSMDB", "exchange-server"), ("SPOOLSS", "print-server"), ("IRemoteWinspool", "print-server"),
    ];

    // Protocols inspection found served that only one kind of server answers in the catalog's estate.
    private static readonly (string Protocol, string Role)[] ProtocolHints = [("kerberos", "domain-controller")];

    // Ports whose mere asking names the role: clients look for a global catalog only where directory SRV records sent them.
    private static readonly (Transport Transport, int Port, string Role)[] AskedPortHints =
        [(Transport.Tcp, 3268, "global-catalog"), (Transport.Tcp, 3269, "global-catalog")];

    /// <summary>
    /// Roles whose evidence rule should have fired if the host had the role: SRV records, the KDC, the global catalog's
    /// ports. Not RPC interfaces: a capture sees an interface only when a client happened to bind it. Nor the Edge's
    /// external interface: its SRV records are in public DNS, asked by remote users and partners outside the capture. Nor
    /// a WINS server: hosts register their names when they start and refresh them after days, so a capture of hours
    /// seldom shows one.
    /// </summary>
    public static readonly IReadOnlySet<string> Expected = ServiceHints.Select(h => h.Role).Where(r => r != EdgeExternal)
        .Concat(ProtocolHints.Select(h => h.Role)).Concat(AskedPortHints.Select(h => h.Role)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The roles the evidence rules name for <paramref name="host"/>.</summary>
    public static IReadOnlyList<string> Of(HostEvidence host) =>
        host.Services.SelectMany(s => ServiceHints.Where(h => s.StartsWith(h.Prefix, StringComparison.Ordinal)).Select(h => h.Role))
            .Concat(host.RpcInterfaces.SelectMany(i => InterfaceHints.Where(h => h.Interface == i).Select(h => h.Role)))
            .Concat(host.Served.SelectMany(s => ProtocolHints.Where(h => s.Apps.Any(a => a.Name == h.Protocol)).Select(h => h.Role)))
            .Concat(host.Served.Concat(host.Attempted).SelectMany(s => AskedPortHints.Where(h => h.Transport == s.Transport && h.Port == s.Port).Select(h => h.Role)))
            .Concat(host.Directory is { } directory ? Stated(directory) : [])
            .Concat(host.TakesNameRegistrations ? [WinsServer] : [])
            .Concat(host.Shares.Any(IsUserShare) ? [FileServer] : [])
            .Distinct().ToList();

    // What a client asks for says what kind of client it is, where the catalog's rules name no client role (they take
    // clients as any@internal): SIP, in clear or on the SIP ports, from the internal network a Lync client; Kerberos,
    // SMB (on 445, or over NetBIOS on 139) and LDAP (the directory, the global catalog) a Windows domain member;
    // NetBIOS name service from the internal network a Windows host (RFC 1001/1002 NetBIOS over TCP/IP: Windows, and
    // Samba, whose hosts the reviewer tells apart);
    // SIP on 5061 from the Internet a federation partner or public IM provider: the Lync Edge document's row
    // "Access/SIP(MTLS)/TCP/5061 | Any | Edge Server Access Edge service public IP address | For federated and public IM
    // connectivity using SIP" (remote users sign in on 443).
    private static readonly (Transport Transport, int Port, string Protocol, string Role, Reach Reach)[] ClientHints =
    [
        (Transport.Tcp, 5061, "sip", LyncClient, Reach.Inside), (Transport.Tcp, 5060, "sip", LyncClient, Reach.Inside), (Transport.Udp, 5060, "sip", LyncClient, Reach.Inside),
        (Transport.Tcp, 88, "kerberos", WindowsHost, Reach.Any), (Transport.Udp, 88, "kerberos", WindowsHost, Reach.Any),
        (Transport.Tcp, 445, "smb", WindowsHost, Reach.Any), (Transport.Tcp, 139, "smb", WindowsHost, Reach.Any),
        (Transport.Tcp, 389, "ldap", WindowsHost, Reach.Any), (Transport.Udp, 389, "cldap", WindowsHost, Reach.Any),
        (Transport.Tcp, 3268, "ldap", WindowsHost, Reach.Any),
        (Transport.Udp, 137, "netbios-ns", WindowsHost, Reach.Inside),
        (Transport.Tcp, 5061, "sip", FederatedPartner, Reach.Outside),
    ];

    // Where a client hint's host must be: at an address of private use, outside them (the Internet), or anywhere.
    private enum Reach { Any, Inside, Outside }

    /// <summary>
    /// The client roles what <paramref name="host"/> initiated names, when it answered on no port (a server's own lookups
    /// say nothing of what it is): a Lync client for SIP from an address of private use, a federation partner for SIP on
    /// 5061 from any other, a Windows host for Kerberos, SMB or LDAP. Empty for a host that served something, unless it is
    /// another organisation's (<see cref="HostEvidence.OtherOrganisation"/>): what it served, it served our hosts' asking.
    /// </summary>
    public static IReadOnlyList<string> AsClient(HostEvidence host)
    {
        if (host.Served.Count > 0 && !host.OtherOrganisation) return [];
        var reach = IpPrefix.IsPrivateUse(host.Address) ? Reach.Inside : Reach.Outside;
        return host.Initiated.SelectMany(s => ClientHints.Where(h => (h.Reach == Reach.Any || h.Reach == reach)
                && ((h.Transport == s.Transport && h.Port == s.Port) || s.Apps.Any(a => a.Name == h.Protocol))).Select(h => h.Role))
            .Distinct().ToList();
    }

    /// <summary>
    /// Roles drafted only when an evidence rule names them: a global catalog is a domain controller that also answers on
    /// 3268/3269; with no client asking there and no word of its own, nothing in the traffic tells the two apart, and the
    /// reviewer adds the role rather than the draft guessing it.
    /// </summary>
    public static readonly IReadOnlySet<string> OnlyWhenNamed = new HashSet<string>(StringComparer.Ordinal) { GlobalCatalog };

    /// <summary>The roles the host's own word rules out: a directory server that says it is no global catalog.</summary>
    public static IReadOnlyList<string> Denied(HostEvidence host) =>
        host.Directory is { GlobalCatalog: false } ? [GlobalCatalog] : [];

    private const string WinsServer = "wins-server", FileServer = "file-server";

    /// <summary>
    /// True for a share that holds users' files: not one every Windows host has (IPC$, ADMIN$, the drive shares C$..., all
    /// hidden by their $, print$ too), nor a domain controller's own (SYSVOL, NETLOGON). A host serving one is a file
    /// server, whatever else it is.
    /// </summary>
    public static bool IsUserShare(string share) =>
        share.Length > 0 && !share.EndsWith('$') && share is not ("SYSVOL" or "NETLOGON");
    private const string GlobalCatalog = "global-catalog", EdgeExternal = "lync-edge-external", LyncClient = "lync-client", WindowsHost = "windows-host",
        FederatedPartner = "federated-partner";

    private static IEnumerable<string> Stated(DirectoryServerFacts directory)
    {
        if (directory.DomainController) yield return "domain-controller";
        if (directory.GlobalCatalog == true) yield return GlobalCatalog;
    }
}
