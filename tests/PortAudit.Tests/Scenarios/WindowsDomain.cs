using PortAudit.Audit;
using static PortAudit.Audit.FindingKind;
using static PortAudit.Tests.Scenarios.Judge;
using static PortAudit.Tests.Scenarios.Payloads;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// A multi-site Windows domain (inventory windows-domain.yaml): real captures from ../shared placed at its sites (a
/// domain logon at HQ, Kerberos at sites A and B, NETLOGON and SMB at site A, NetBIOS name service broadcasts, and the
/// Zerologon attack on the branch DC from a machine the inventory does not know), plus two generated hours at HQ:
/// clients logging on, DC replication over the endpoint mapper, and an Internet host on the DC's SMB port.
/// </summary>
public static class WindowsDomain
{
    private const string DcHq = "192.168.226.136", DcSiteA = "10.5.3.1", Internet = "203.0.113.50";
    private static readonly string[] HqClients = ["192.168.226.140", "192.168.226.141", "192.168.226.142", "192.168.226.143"];

    /// <summary>The scenario.</summary>
    public static Scenario Build() => new()
    {
        Name = "windows-domain",
        RealCaptures =
        [
            "shared:captures/zeek-ldap-aduser1.pcap", "shared:captures/kerberos-login.pcap", "shared:captures/sv-dcerpc-zerologon.pcap",
            "shared:captures/zeek-dce-rpc-dce_rpc_netlogon.pcapng", "shared:captures/zeek-smb-smb2.pcap", "shared:captures/netbios.pcap",
        ],
        Generated = [Day()],
        Labels = Labels,
        Planted =
        [
            new("an unknown host at a DC (Zerologon from an address the inventory does not name): NETLOGON, an attacker's interface, at high severity",
                RpcInterface, "172.16.0.10", "dc-branch", 49668),
            new("the Internet at an internal service (DC SMB)", Unexpected, Internet, "dc-hq", 445),
            // Not planted but real (netbios.pcap), and judged the same way: silence NetBIOS itself explains.
            new("an unanswered NetBIOS name response (the WINS server answers a broadcast query by unicast, in a flow of its own)",
                null, "wins01", "site-a-clients", 137, null, RequiredBlocked),
            new("NetBIOS name queries broadcast to a subnet the inventory does not list (10.0.5.255 inside the /16)",
                null, "site-a-clients", "site-a-clients", 137, null, RequiredBlocked),
        ],
    };

    private static ScenarioCapture Day()
    {
        // 2026-11-23 08:00 UTC, two hours of the HQ site.
        var day = new ScenarioCapture("windows-domain-hq.pcap", 1_795_420_800);
        foreach (var client in HqClients)
        {
            day.Repeat(6, 30, 7100, (c, t) => c.Udp(client, DcHq, 53, t, DnsQuery, DnsAnswer));
            day.Repeat(4, 40, 7000, (c, t) => c.Tcp(client, DcHq, 88, t, KerberosAsReq(tcp: true), KerberosAsReq(tcp: true)));
            day.Repeat(4, 50, 7050, (c, t) => c.Tcp(client, DcHq, 389, t, LdapBind, LdapBindOk));
            day.Repeat(3, 60, 6900, (c, t) => c.Tcp(client, DcHq, 445, t, Smb2Negotiate, Smb2Negotiate));
        }
        // Replication with site A: the mapper hands out 49155 for DRSUAPI, then the call.
        day.Repeat(4, 600, 6600, (c, t) =>
        {
            c.Tcp(DcSiteA, DcHq, 135, t, EpmMapRequest(), EpmMapResponse(Drsuapi, DcHq, 49155));
            c.Tcp(DcSiteA, DcHq, 49155, t + 1, RpcBind(Drsuapi), RpcBind(Drsuapi));
        });
        // Planted: an Internet host on the DC's SMB port, answered.
        day.Tcp(Internet, DcHq, 445, 3000, Smb2Negotiate, Smb2Negotiate);
        return day;
    }

    private static readonly FindingLabel[] Labels =
    [
        Act(Unmapped, "172.16.0.10", "dc-branch", "135", null, "a machine nobody listed calls the branch DC's endpoint mapper 21 times (Zerologon): find it"),
        Act(RpcInterface, "172.16.0.10", "dc-branch", "49668", null, "the same unknown machine drives NETLOGON on the port the mapper gave it (Zerologon): find it"),
        Act(Unmapped, "172.16.0.10", "dc-branch", "445", null, "the same unknown machine opens SMB sessions on the DC: find it"),
        Act(RpcInterface, "172.16.0.10", "dc-branch", "445", null, "the same unknown machine opens SAMR over the DC's named pipe: find it"),
        Act(Unmapped, "10.19.71.184", "10.17.113.129", "139", null, "two machines in site A that nobody listed talk NetBIOS sessions: identify them"),
        Act(Unexpected, Internet, "dc-hq", "445", null, "an Internet host reaches the domain controller's SMB: close it at the perimeter"),
    ];
}
