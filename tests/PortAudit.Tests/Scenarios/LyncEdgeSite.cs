using PortAudit.Audit;
using static PortAudit.Audit.FindingKind;
using static PortAudit.Tests.Scenarios.Judge;
using static PortAudit.Tests.Scenarios.Payloads;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// A Lync Server 2013 site with an Edge Server and a reverse proxy (inventory lync-edge-site.yaml). The internal side is
/// the lab capture (captures/lab.pcapng); two hours of the rest of the day are generated: clients signing in and
/// conferencing, the Front End pool (with a DCOM call between its members), the Edge's two interfaces, the reverse
/// proxy, remote users on the Internet, and an Internet host reaching the Front End directly. fe01 holds the Central
/// Management store, and call admission control is on; the store never replicates to the Edge on 4443 (planted).
/// </summary>
public static class LyncEdgeSite
{
    private const string Fe01 = "10.77.0.10", Fe02 = "10.77.0.11", EdgeInt = "10.77.0.20", Dc01 = "10.77.0.30";
    private const string EdgeExt = "172.20.0.20", Rp01 = "172.20.0.30";
    private const string Intruder = "203.0.113.66", Resolver = "198.51.100.53";
    private static readonly string[] Clients = ["10.77.0.101", "10.77.0.102", "10.77.0.103"];
    private static readonly string[] RemoteUsers = ["198.51.100.17", "198.51.100.18"];

    /// <summary>The scenario.</summary>
    public static Scenario Build() => new()
    {
        Name = "lync-edge-site",
        RealCaptures = ["captures/lab.pcapng"],
        Generated = [Day()],
        Labels = Labels,
        Planted =
        [
            new("blocked required port (RST from the Front End)", RequiredBlocked, "clients", "fe01", 5061),
            new("the Internet at an internal service (Front End SIP)", Unexpected, Intruder, "fe01", 5061),
            new("the Internet at the Edge internal interface", Unexpected, Intruder, "edge01-int", 3478),
            new("DCOM call on a high port the endpoint mapper handed out, inside the media range", null, "fe02", "fe01", 50123,
                Verdict.ExpectedDynamicRpc, ProtocolMismatch, Unexpected),
            new("a periodic flow never seen (the Central Management store never replicates to the Edge)", Missing, "fe01", "edge01-int", 4443),
        ],
    };

    private static ScenarioCapture Day()
    {
        // 07:25 UTC, just after the lab capture ends, for two hours.
        var day = new ScenarioCapture("lync-edge-site-day.pcap", 1_795_245_900);
        foreach (var client in Clients)
        {
            day.Repeat(12, 30, 7100, (c, t) => c.Tcp(client, Fe01, 5061, t, TlsClientHello("pool01.contoso.com"), TlsServerHello));
            day.Repeat(4, 60, 7000, (c, t) => c.Tcp(client, Fe01, 443, t, TlsClientHello("lyncweb.contoso.com"), TlsServerHello));
            day.Repeat(4, 90, 6900, (c, t) => c.Udp(client, EdgeInt, 3478, t, StunBinding, StunBindingOk));
            day.Repeat(6, 45, 7150, (c, t) => c.Udp(client, Dc01, 53, t, DnsQuery, DnsAnswer));
            day.Repeat(2, 120, 6000, (c, t) => c.Tcp(client, Dc01, 88, t, KerberosAsReq(tcp: true), KerberosAsReq(tcp: true)));
            day.Repeat(2, 130, 6100, (c, t) => c.Tcp(client, Dc01, 389, t, LdapBind, LdapBindOk));
        }
        // The pool: the Front Ends talk to each other, the Edge and the domain.
        day.Repeat(8, 10, 7000, (c, t) => c.Tcp(Fe02, Fe01, 5061, t, TlsClientHello("fe01.contoso.com"), TlsServerHello));
        day.Repeat(8, 20, 7100, (c, t) => c.Tcp(Fe01, EdgeInt, 5061, t, TlsClientHello("edge01.contoso.com"), TlsServerHello));
        day.Repeat(8, 25, 7120, (c, t) => c.Tcp(EdgeInt, Fe01, 5061, t, TlsClientHello("pool01.contoso.com"), TlsServerHello));
        // fe01 holds the Central Management store: the Master Replicator reaches the other pool member's replica over SMB,
        // on its own, all day; the Edge's replica over HTTPS on 4443 never (planted: the path is dropped).
        day.Repeat(24, 310, 7010, (c, t) => c.Tcp(Fe01, Fe02, 445, t, Smb2Negotiate, Smb2Negotiate));
        day.Repeat(3, 400, 6400, (c, t) => c.Tcp(Fe01, EdgeInt, 8057, t, TlsClientHello("edge01.contoso.com"), TlsServerHello));
        day.Repeat(3, 15, 7000, (c, t) => c.Tcp(Fe01, Dc01, 389, t, LdapBind, LdapBindOk));
        // A DCOM call from fe02 to fe01: the endpoint mapper hands out 50123, inside the media range 49152-57500.
        day.Tcp(Fe02, Fe01, 135, 1800, EpmMapRequest(), EpmMapResponse(RemUnknown2, Fe01, 50123));
        day.Tcp(Fe02, Fe01, 50123, 1801, RpcBind(RemUnknown2), RpcBind(RemUnknown2));
        // Remote users on the Internet: the Access Edge (SIP over TLS on 443, STUN) and the reverse proxy.
        foreach (var user in RemoteUsers)
        {
            day.Repeat(6, 200, 7000, (c, t) => c.Tcp(user, EdgeExt, 443, t, TlsClientHello("sip.contoso.com"), TlsServerHello));
            day.Repeat(3, 250, 6500, (c, t) => c.Udp(user, EdgeExt, 3478, t, StunBinding, StunBindingOk));
            day.Repeat(4, 260, 6600, (c, t) => c.Tcp(user, Rp01, 443, t, TlsClientHello("lyncext.contoso.com"), TlsServerHello));
        }
        day.Repeat(8, 270, 6700, (c, t) => c.Tcp(Rp01, Fe01, 4443, t, TlsClientHello("pool01.contoso.com"), TlsServerHello));
        day.Repeat(4, 100, 7000, (c, t) => c.Udp(EdgeExt, Resolver, 53, t, DnsQuery, DnsAnswer));
        // Planted: an Internet host reaches the Front End's SIP port and the Edge's internal STUN port directly.
        day.Tcp(Intruder, Fe01, 5061, 3600, TlsClientHello("pool01.contoso.com"), TlsServerHello);
        day.Udp(Intruder, EdgeInt, 3478, 3700, StunBinding, StunBindingOk);
        return day;
    }

    private static readonly FindingLabel[] Labels =
    [
        Act(RequiredBlocked, "clients", "fe01", "5061", "lync-fe-sip-tls",
            "the Front End's firewall resets clients' SIP over TLS, which the internal-servers table requires from any client"),
        Act(Unexpected, "clients", "fe01", "5060", null,
            "clients reach the Front End's SIP over TCP on 5060, which its row gives to trusted services on static routes (remote call control), not to clients, who sign in over TLS on 5061: close it to them"),
        Act(Unexpected, "clients", "fe01", "8000", null, "HTTP on 8000 to the Front End is let through though no document needs it: close it"),
        Act(Unmapped, "fe01", "10.77.0.200", "8000", null, "the Front End fetches over HTTP from an internal host nobody listed: identify it"),
        Act(Unexpected, Intruder, "fe01", "5061", null, "an Internet host reaches the Front End directly: the Edge is bypassed"),
        Act(Unexpected, Intruder, "edge01-int", "3478", null, "an Internet host reaches the Edge's internal interface: the perimeter leaks"),
        Act(Missing, "fe01", "edge01-int", null, "lync-edge-int-cms-replication",
            "the Master Replicator pushes the Central Management store to the Edge's replica every minute; fe01 talked SIP and PSOM with the Edge for two hours, never on 4443: the path is dropped"),
    ];
}
