using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Catalog;

/// <summary>
/// Which application labels found by inspection fulfil a catalog protocol. The catalog speaks of what the documents
/// name (sip-tls, psom, ms-turn...); inspection reports what is on the wire (tls, stun...). The catalog's protocol
/// names are mapped to labels here, once: a protocol missing here is one inspection cannot judge, matched by port only.
/// </summary>
public static class ProtocolLabels
{
    private static readonly AppLabel[] Tls = [AppLabel.Tls, AppLabel.Dtls];
    private static readonly AppLabel[] DceRpc = [AppLabel.DceRpc];

    // Before Accepted, which adds them: static fields are set in the order they are written.
    private static readonly HashSet<AppLabel> Tunnels =
    [
        AppLabel.Ssh, AppLabel.WireGuard, AppLabel.OpenVpn, AppLabel.Socks, AppLabel.HttpProxy, AppLabel.Quic, AppLabel.PseudoTls,
        AppLabel.DnsCrypt, AppLabel.Teredo, AppLabel.Vxlan, AppLabel.Geneve, AppLabel.GtpU,
    ];

    private static readonly Dictionary<string, AppLabel[]> Accepted = WithTunnels(new(StringComparer.Ordinal)
    {
        // TLS on the wire: PSOM and SIP over TLS are TLS; cleartext here is the finding the audit exists for.
        ["tls"] = Tls, ["sip-tls"] = Tls, ["psom"] = Tls, ["https"] = Tls, ["ldaps"] = Tls, ["rpc-over-https"] = Tls,
        ["pop3s"] = Tls, ["imaps"] = Tls, ["nntps"] = Tls, ["sccp-tls"] = Tls,
        ["sip"] = [AppLabel.Sip],
        ["ms-turn"] = [AppLabel.Stun], ["stun"] = [AppLabel.Stun],
        // MS-TURN over TCP (443) opens with a pseudo-TLS handshake before its STUN framing ([MS-TURN] 3.1.5.1), which
        // inspection tells apart (stun, "ms-turn; pseudo-tls"): a real TLS handshake there (a ClientHello answered by a
        // certificate, an SNI naming a web site) is another protocol on the media relay's port, and so is the opening
        // followed by anything but framed MS-TURN (pseudo-tls, which no protocol here accepts).
        ["ms-turn-tcp"] = [AppLabel.Stun],
        // Media ports carry ICE checks (STUN) and DTLS-SRTP key exchange besides RTP and RTCP.
        ["rtp"] = [AppLabel.Rtp, AppLabel.Rtcp, AppLabel.Stun, AppLabel.Dtls], ["rtcp"] = [AppLabel.Rtcp, AppLabel.Rtp],
        ["epm"] = DceRpc, ["dcerpc"] = DceRpc, ["ncacn-http"] = DceRpc, ["dcerpc-dynamic"] = DceRpc, ["msmq-rpc"] = DceRpc,
        ["kerberos"] = [AppLabel.Kerberos], ["kpasswd"] = [AppLabel.Kpasswd, AppLabel.Kerberos],
        ["ldap"] = [AppLabel.Ldap, AppLabel.Cldap],
        ["smb"] = [AppLabel.Smb],
        // SMB over the NetBIOS session service is labelled by what it carries.
        ["netbios-ssn"] = [AppLabel.NetBiosSsn, AppLabel.Smb],
        ["netbios-ns"] = [AppLabel.NetBiosNs], ["netbios-dgm"] = [AppLabel.NetBiosDgm],
        ["dns"] = [AppLabel.Dns],
        ["http"] = [AppLabel.Http],
        // STARTTLS upgrades these in place; a flow labelled by its later TLS is still the same service.
        ["smtp"] = [AppLabel.Smtp, AppLabel.Tls], ["pop3"] = [AppLabel.Pop3, AppLabel.Tls], ["imap"] = [AppLabel.Imap, AppLabel.Tls],
        ["nntp"] = [AppLabel.Nntp, AppLabel.Tls],
        ["xmpp"] = [AppLabel.Xmpp, AppLabel.Tls],
        ["rdp"] = [AppLabel.Rdp, AppLabel.Tls, AppLabel.RdpUdp],
        ["tds"] = [AppLabel.Tds],
        ["ntp"] = [AppLabel.Ntp],
        ["snmp"] = [AppLabel.Snmp], ["snmp-trap"] = [AppLabel.Snmp],
        ["radius"] = [AppLabel.Radius], ["radius-accounting"] = [AppLabel.Radius],
        ["isakmp"] = [AppLabel.Ike], ["ipsec-nat-t"] = [AppLabel.Ike],
        // AUTH TLS upgrades FTP control in place, as STARTTLS does for mail.
        ["ftp"] = [AppLabel.Ftp, AppLabel.Tls], ["ftp-data"] = [AppLabel.FtpData],
        ["tftp"] = [AppLabel.Tftp],
        // PXE's BINL (4011) speaks DHCP's format; DHCPv6 is DHCP's service for IPv6.
        ["dhcp"] = [AppLabel.Dhcp, AppLabel.Dhcpv6], ["binl"] = [AppLabel.Dhcp],
        ["ssdp"] = [AppLabel.Ssdp],
        // UPnP's 2869 carries HTTP (device descriptions, GENA events).
        ["upnp"] = [AppLabel.Http],
        ["sccp"] = [AppLabel.Sccp],
        ["msmq"] = [AppLabel.Msmq], ["sql-browser"] = [AppLabel.SqlBrowser], ["wins-replication"] = [AppLabel.WinsReplication],
        ["telnet"] = [AppLabel.Telnet], ["rtsp"] = [AppLabel.Rtsp], ["pptp"] = [AppLabel.Pptp], ["l2tp"] = [AppLabel.L2tp],
        ["vnc"] = [AppLabel.Vnc],
        // A wireless controller's access points: control (5246) and data (5247), each CAPWAP whatever it carries.
        ["capwap"] = [AppLabel.Capwap],
        // A mobile core's control plane: no document names it, a site's own catalog may (the Gn, S5 and S8 interfaces).
        ["gtp-c"] = [AppLabel.GtpC],
        // Protocols no inspector labels, whose ports no labelled protocol shares by design: whatever inspection does
        // recognise there (DNS in the MAPI notification range, HTTP on the echo port) is something else.
        ["mapi-notify"] = [], ["echo"] = [], ["discard"] = [], ["daytime"] = [], ["qotd"] = [], ["chargen"] = [],
    });

    // What a TLS (or DTLS) connection may carry under each protocol that runs in TLS, as the label of the application
    // inside: the protocol TLS wraps, or the one STARTTLS upgraded in place. PSOM has no label (nothing named inside it
    // fits); "tls" itself names no application (Lync's mutual-TLS web ports carry HTTP), so it is missing here: not judged.
    private static readonly Dictionary<string, AppLabel[]> Carried = new(StringComparer.Ordinal)
    {
        ["https"] = [AppLabel.Http], ["rpc-over-https"] = [AppLabel.Http], ["ldaps"] = [AppLabel.Ldap], ["sip-tls"] = [AppLabel.Sip],
        ["imaps"] = [AppLabel.Imap], ["pop3s"] = [AppLabel.Pop3], ["nntps"] = [AppLabel.Nntp], ["sccp-tls"] = [AppLabel.Sccp],
        ["psom"] = [],
        // A media port's DTLS exchanges SRTP keys (RFC 5764) and carries no application; TURN over DTLS (RFC 7443,
        // stun.turn) is the relay's STUN. WebRTC's ids (RFC 8833: webrtc, c-webrtc) name no labelled application and are
        // not judged; HTTP/2 there is a tunnel in the media range.
        ["rtp"] = [AppLabel.Stun],
        ["smtp"] = [AppLabel.Smtp], ["pop3"] = [AppLabel.Pop3], ["imap"] = [AppLabel.Imap], ["nntp"] = [AppLabel.Nntp],
        ["xmpp"] = [AppLabel.Xmpp], ["ftp"] = [AppLabel.Ftp], ["rdp"] = [AppLabel.Rdp],
    };

    /// <summary>
    /// The labels of the applications a TLS or DTLS connection may carry under catalog protocol
    /// <paramref name="protocol"/> (HTTP under https, LDAP under ldaps), or null when what runs inside is not judged
    /// (<c>tls</c>, and every protocol that does not run over TLS); empty for one whose content no label names (psom), so
    /// that any named application contradicts it.
    /// </summary>
    public static IReadOnlyList<AppLabel>? CarriedOverTls(string protocol) => Carried.GetValueOrDefault(protocol);

    /// <summary>
    /// The labels that fulfil catalog protocol <paramref name="protocol"/>, or null when inspection cannot judge it; empty
    /// for a protocol no inspector labels, so that any label found contradicts it.
    /// </summary>
    public static IReadOnlyList<AppLabel>? For(string protocol) => Accepted.GetValueOrDefault(protocol);

    /// <summary>
    /// Labels of tunnels, proxies and transports newer than every document (SSH, WireGuard, OpenVPN, SOCKS, an HTTP
    /// proxy's CONNECT, QUIC, and the imitation of MS-TURN's opening, pseudo-tls): no conversation of the documents runs
    /// over them, so they contradict every rule, also one whose protocol inspection cannot otherwise judge (MOM, OLAP,
    /// MMS's UDP range, the SMS remote control...), unless the rule names them.
    /// </summary>
    public static IReadOnlySet<AppLabel> OutsideTheDocuments => Tunnels;

    // Tunnels and proxies no document names: a site's own catalog may still allow one by naming it (an SSH jump host, the
    // forward proxy its servers go out through). pseudo-tls is no protocol anyone runs on purpose.
    private static Dictionary<string, AppLabel[]> WithTunnels(Dictionary<string, AppLabel[]> accepted)
    {
        foreach (var label in Tunnels)
            if (label != AppLabel.PseudoTls) accepted.Add(label.Name, [label]);
        return accepted;
    }
}
