using PortAudit.Audit;
using static PortAudit.Audit.FindingKind;
using static PortAudit.Tests.Scenarios.Judge;
using static PortAudit.Tests.Scenarios.Payloads;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// Cisco Unity 5 (a failover pair) with Exchange, Active Directory and Cisco Unified CM over SCCP (inventory
/// unity-exchange-cucm.yaml). No real capture exists: two hours are generated, with Unity's DCOM restricted to
/// 5000-5020, Exchange's UDP new-mail notifications to Unity (one-way, never answered), voice ports to CUCM and
/// phones, and a firewall answering Unity's global-catalog queries with ICMP port unreachable.
/// </summary>
public static class UnityExchangeCucm
{
    private const string Unity01 = "10.20.1.10", Unity02 = "10.20.1.11", Exch01 = "10.20.2.10", Dc01 = "10.20.3.10";
    private const string Cucm01 = "10.20.4.10", Admin01 = "10.20.9.5";
    private static readonly string[] Phones = ["10.20.8.21", "10.20.8.22"];

    /// <summary>The scenario.</summary>
    public static Scenario Build() => new()
    {
        Name = "unity-exchange-cucm",
        Generated = [Day()],
        Labels = Labels,
        Planted =
        [
            new("blocked required port (ICMP port unreachable to the global catalog)", RequiredBlocked, "unity01", "dc01", 3268),
            new("an unanswered one-way notification (Exchange MAPI new-mail to Unity)", null, "exch01", "unity01", 33012,
                Verdict.Expected, RequiredBlocked),
            new("DCOM call on a port of Unity's restricted range", null, "unity01", "exch01", 5003,
                Verdict.ExpectedDynamicRpc, ProtocolMismatch, Unexpected),
        ],
    };

    private static ScenarioCapture Day()
    {
        // 2026-11-24 09:00 UTC, two hours.
        var day = new ScenarioCapture("unity-day.pcap", 1_795_510_800);
        foreach (var unity in new[] { Unity01, Unity02 })
        {
            day.Repeat(6, 20, 7100, (c, t) => c.Udp(unity, Dc01, 53, t, DnsQuery, DnsAnswer));
            day.Repeat(3, 30, 7000, (c, t) => c.Udp(unity, Dc01, 88, t, KerberosAsReq(tcp: false), KerberosAsReq(tcp: false)));
            day.Repeat(6, 40, 7150, (c, t) => c.Tcp(unity, Dc01, 389, t, LdapBind, LdapBindOk));
        }
        // Unity reads the directory through the global catalog; the firewall refuses it with ICMP (planted).
        day.Repeat(3, 100, 7000, (c, t) => c.Tcp(Unity01, Dc01, 3268, t, LdapBind, LdapBindOk, Answer.Unreachable));
        // Unity to Exchange: the endpoint mapper hands out 5003 (inside Unity's restricted range), then the MAPI session.
        day.Repeat(4, 200, 6800, (c, t) =>
        {
            c.Tcp(Unity01, Exch01, 135, t, EpmMapRequest(), EpmMapResponse(Emsmdb, Exch01, 5003));
            c.Tcp(Unity01, Exch01, 5003, t + 1, RpcBind(Emsmdb), RpcBind(Emsmdb));
        });
        // Exchange tells Unity of new mail: UDP datagrams that are never answered (planted: one-way, not blocked).
        day.Repeat(10, 300, 7000, (c, t) => c.Udp(Exch01, Unity01, 33012, t, MapiNotification, answer: Answer.Silent, clientPort: 1062));
        // Failover pair: SMB and SQL between the two Unity servers.
        day.Repeat(4, 500, 6500, (c, t) => c.Tcp(Unity02, Unity01, 445, t, Smb2Negotiate, Smb2Negotiate));
        day.Repeat(4, 520, 6520, (c, t) => c.Tcp(Unity01, Unity02, 445, t, Smb2Negotiate, Smb2Negotiate));
        // Voice: SCCP to CUCM (binary, no inspector), RTP with the phones.
        day.Repeat(4, 50, 7000, (c, t) => c.Tcp(Unity01, Cucm01, 2000, t, Hex("0c000000 00000000 01000000"), Hex("0c000000 00000000 81000000")));
        foreach (var phone in Phones)
        {
            // A message played to the phone (Unity to the phone's port), then one recorded (the phone to Unity's).
            day.Repeat(3, 900, 6000, (c, t) => c.UdpStream(Unity01, phone, 24000, t, Rtp, 50, bothWays: false, clientPort: 28000));
            day.Repeat(3, 930, 6030, (c, t) => c.UdpStream(phone, Unity01, 24002, t, Rtp, 50, bothWays: false, clientPort: 24576));
        }
        // The administrator uses the web console.
        day.Repeat(3, 1000, 5000, (c, t) => c.Tcp(Admin01, Unity01, 443, t, TlsClientHello("unity01.contoso.com"), TlsServerHello));
        return day;
    }

    private static readonly FindingLabel[] Labels =
    [
        Act(RequiredBlocked, "unity01", "dc01", "3268", "kb832017-global-catalog-ldap-tcp-3268",
            "the firewall refuses Unity's global-catalog queries, which the Unity and Windows documents require: open TCP 3268"),
    ];
}
