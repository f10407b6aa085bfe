using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// TLS on a port whose rule's protocol runs over TLS is judged by what it carries when the server selected an ALPN
/// protocol (RFC 7301): HTTP/2 on a domain controller's LDAPS port is another conversation on an allowed port. A client's
/// offer alone, a TLS 1.3 handshake (whose choice is encrypted), or an id of no labelled application judges nothing.
/// DTLS is judged as TLS is: HTTP/2 in DTLS on a SIP over DTLS port.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TlsCarriedAuditTests
{
    private static readonly RoleCatalog TlsCatalog = new(
        [new Role("any", "wildcard"), new Role("workstation", "w"), new Role("domain-controller", "d"), new Role("sip-server", "s")],
        [],
        [
            MakeRule("ldaps", "workstation", "domain-controller", 636, 636, "ldaps"),
            MakeRule("web", "workstation", "domain-controller", 443, 443, "https"),
            MakeRule("mtls", "workstation", "domain-controller", 8061, 8061, "tls"),
            MakeRule("rdp", "workstation", "domain-controller", 3389, 3389, "rdp"),
            MakeRule("conference", "workstation", "domain-controller", 8057, 8057, "psom"),
            MakeRule("submission", "workstation", "domain-controller", 587, 587, "smtp"),
            MakeRule("sip-dtls", "workstation", "sip-server", 5061, 5061, "sip-tls", transport: Transport.Udp),
            MakeRule("media", "workstation", "sip-server", 50000, 59999, "rtp", transport: Transport.Udp),
        ]);

    private static FlowVerdict Audit(ushort port, string detail) => Audit(Established(Ws, Dc, port), AppLabel.Tls, detail);

    // DTLS from a workstation to sip01's 5061/udp, or another of its UDP ports.
    private static FlowVerdict AuditDtls(string detail, ushort port = 5061) =>
        Audit(Assert.Single(FlowsOf(Ethernet(Ip(Ws, Sip, 17, Udp(40000, port))))), AppLabel.Dtls, detail);

    private static FlowVerdict Audit(Flow flow, AppLabel app, string detail) =>
        new FlowAuditor(AuditContext.Create(TlsCatalog, LoadInventory(InventoryYaml, TlsCatalog))).Audit(Inspected(flow, app, detail));

    [Theory]
    [InlineData(636, "alpn=h2,http/1.1; version=tls1.2; alpn-selected=h2", "h2 (HTTP/2", "ldaps")]
    [InlineData(636, "sni=dc01; alpn=http/1.1; version=tls1.2; alpn-selected=http/1.1", "http/1.1 (HTTP/1.1", "ldaps")]
    [InlineData(3389, "alpn=h2; version=tls1.2; alpn-selected=h2", "h2 (HTTP/2", "rdp")]
    [InlineData(8057, "alpn=h2; version=tls1.2; alpn-selected=h2", "h2 (HTTP/2", "psom")]
    [InlineData(443, "alpn=smb; version=tls1.2; alpn-selected=smb", "smb (SMB2", "https")]
    [InlineData(587, "alpn=imap; version=tls1.2; alpn-selected=imap", "imap (IMAP", "smtp")]
    public void TlsWhoseServerSelectedAnotherApplicationIsAProtocolMismatch(ushort port, string detail, string carried, string protocol)
    {
        var verdict = Audit(port, detail);

        Assert.Equal(Verdict.ProtocolMismatch, verdict.Verdict);
        Assert.Equal(
            $"inspection found 'tls' carrying {carried}, selected by the server by ALPN) where rule {verdict.Rule?.Id} expects {protocol}",
            verdict.Reason);
    }

    [Theory]
    // What the rule's protocol carries.
    [InlineData(443, "alpn=h2,http/1.1; version=tls1.2; alpn-selected=h2")]
    // "tls" names no application: Lync's mutual-TLS web ports carry HTTP.
    [InlineData(8061, "alpn=h2; version=tls1.2; alpn-selected=h2")]
    // The client's offer alone, in TLS 1.2 (the server ignored it) or 1.3 (its choice is encrypted), is a claim.
    [InlineData(636, "alpn=h2,http/1.1; version=tls1.2")]
    [InlineData(636, "alpn=h2,http/1.1; version=tls1.3")]
    [InlineData(636, "version=tls1.2")]
    // Ids of no labelled application, or of none in the registry (it has no "ldap").
    [InlineData(636, "alpn=ldap; version=tls1.2; alpn-selected=ldap")]
    [InlineData(636, "alpn=acme-tls/1; version=tls1.2; alpn-selected=acme-tls/1")]
    public void TlsCarryingWhatTheRuleGrantsOrNothingProvenIsExpected(ushort port, string detail)
    {
        Assert.Equal(Verdict.Expected, Audit(port, detail).Verdict);
    }

    [Theory]
    [InlineData("alpn=h2; version=dtls1.2; alpn-selected=h2", "h2 (HTTP/2")]
    [InlineData("alpn=imap; version=dtls1.2; alpn-selected=imap", "imap (IMAP")]
    public void DtlsWhoseServerSelectedAnotherApplicationIsAProtocolMismatch(string detail, string carried)
    {
        var verdict = AuditDtls(detail);

        Assert.Equal((Verdict.ProtocolMismatch, "sip-dtls"), (verdict.Verdict, verdict.Rule?.Id));
        Assert.Equal($"inspection found 'dtls' carrying {carried}, selected by the server by ALPN) where rule sip-dtls expects sip-tls",
            verdict.Reason);
    }

    [Theory]
    [InlineData("alpn=sip/2; version=dtls1.2; alpn-selected=sip/2")]
    [InlineData("alpn=h2; version=dtls1.2")]
    [InlineData("alpn=webrtc; version=dtls1.2; alpn-selected=webrtc")]
    public void DtlsCarryingWhatTheRuleGrantsOrNothingProvenIsExpected(string detail)
    {
        Assert.Equal(Verdict.Expected, AuditDtls(detail).Verdict);
    }

    [Theory]
    [InlineData("alpn=h2; version=dtls1.2; alpn-selected=h2", Verdict.ProtocolMismatch)]
    [InlineData("alpn=http/1.1; version=dtls1.2; alpn-selected=http/1.1", Verdict.ProtocolMismatch)]
    [InlineData("alpn=stun.turn; version=dtls1.2; alpn-selected=stun.turn", Verdict.Expected)]
    [InlineData("alpn=webrtc,c-webrtc; version=dtls1.2; alpn-selected=webrtc", Verdict.Expected)]
    [InlineData("version=dtls1.2", Verdict.Expected)]
    public void DtlsInAMediaRangeCarriesNoApplicationButTheRelaysStun(string detail, Verdict expected)
    {
        // DTLS-SRTP's key exchange carries nothing named; HTTP in DTLS on a media port was expected under the rtp rule.
        var verdict = AuditDtls(detail, 50010);

        Assert.Equal((expected, "media"), (verdict.Verdict, verdict.Rule?.Id));
    }
}
