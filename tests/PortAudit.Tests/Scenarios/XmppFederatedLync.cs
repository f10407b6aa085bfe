using PortAudit.Audit;
using static PortAudit.Audit.FindingKind;
using static PortAudit.Tests.Scenarios.Judge;
using static PortAudit.Tests.Scenarios.Payloads;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// Lync Server 2013 federated over SIP with a partner and over XMPP with a public XMPP service (inventory
/// xmpp-federated-lync.yaml). Generated: two hours of federation through the Edge (partner SIP in and out on 5061,
/// XMPP server-to-server on 5269, the Front End's XMPP gateway path to the Edge on 23456), remote users on 443, and
/// a legacy partner server that speaks SIP in clear text to the Edge's TLS port.
/// </summary>
public static class XmppFederatedLync
{
    private const string Fe01 = "10.30.1.10", EdgeInt = "10.30.2.20", EdgeExt = "192.0.2.20";
    private const string Partner = "198.51.100.40", LegacyPartner = "198.51.100.41", XmppPartner = "198.51.100.50";
    private static readonly string[] Clients = ["10.30.8.11", "10.30.8.12"];
    private const string RemoteUser = "203.0.113.77";

    /// <summary>The scenario.</summary>
    public static Scenario Build() => new()
    {
        Name = "xmpp-federated-lync",
        Generated = [Day()],
        Labels = Labels,
        Planted =
        [
            new("cleartext where TLS is required (SIP on the Edge's federation port)", ProtocolMismatch, "partner-edge-legacy", "edge01-ext", 5061),
            new("blocked required port (RST on the Edge's XMPP gateway port)", RequiredBlocked, "fe01", "edge01-int", 23456),
        ],
    };

    private static ScenarioCapture Day()
    {
        // 2026-11-25 13:00 UTC, two hours.
        var day = new ScenarioCapture("xmpp-federation-day.pcap", 1_796_130_000);
        foreach (var client in Clients)
            day.Repeat(10, 30, 7100, (c, t) => c.Tcp(client, Fe01, 5061, t, TlsClientHello("pool01.contoso.com"), TlsServerHello));
        day.Repeat(8, 20, 7100, (c, t) => c.Tcp(Fe01, EdgeInt, 5061, t, TlsClientHello("edge01.contoso.com"), TlsServerHello));
        day.Repeat(8, 25, 7120, (c, t) => c.Tcp(EdgeInt, Fe01, 5061, t, TlsClientHello("pool01.contoso.com"), TlsServerHello));
        // SIP federation with the partner, both ways.
        day.Repeat(6, 100, 7000, (c, t) => c.Tcp(Partner, EdgeExt, 5061, t, TlsClientHello("sip.contoso.com"), TlsServerHello));
        day.Repeat(6, 110, 7010, (c, t) => c.Tcp(EdgeExt, Partner, 5061, t, TlsClientHello("sip.fabrikam.com"), TlsServerHello));
        // XMPP federation: the partner's server connects to the Edge; the Front End's gateway path is refused (planted).
        day.Repeat(6, 150, 7050, (c, t) => c.Tcp(XmppPartner, EdgeExt, 5269, t, XmppServerStream("contoso.com"), XmppServerStream("jabber.example")));
        day.Repeat(3, 160, 7060, (c, t) => c.Tcp(Fe01, EdgeInt, 23456, t, answer: Answer.Reset));
        // Remote users sign in through the Access Edge.
        day.Repeat(6, 200, 7000, (c, t) => c.Tcp(RemoteUser, EdgeExt, 443, t, TlsClientHello("sip.contoso.com"), TlsServerHello));
        // Planted: a legacy partner server sends SIP in clear text to the TLS federation port, and is answered.
        day.Repeat(2, 3000, 4000, (c, t) => c.Tcp(LegacyPartner, EdgeExt, 5061, t,
            SipRequest("OPTIONS", "legacy.fabrikam.com", "sip.contoso.com"), SipOk));
        return day;
    }

    private static readonly FindingLabel[] Labels =
    [
        Act(ProtocolMismatch, "partner-edge-legacy", "edge01-ext", "5061", "fed-sip-srv-5061",
            "a partner server sends SIP in clear text to the federation port that requires TLS, and is answered"),
        Act(RequiredBlocked, "fe01", "edge01-int", "23456", "lync-edge-int-xmpp",
            "the Edge refuses the Front End's XMPP gateway connections: XMPP federation cannot reach users"),
    ];
}
