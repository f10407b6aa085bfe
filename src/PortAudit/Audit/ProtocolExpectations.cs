namespace PortAudit.Audit;

/// <summary>
/// Which application labels found by inspection fulfil a catalog protocol label. The catalog speaks of what
/// the documents name (sip-tls, psom, ms-turn...); inspection reports what is on the wire (tls, stun...).
/// A flow contradicts its rule only when inspection found a label and it is not among the accepted ones:
/// no label is no evidence, and a catalog label missing here is one inspection cannot judge.
/// </summary>
public static class ProtocolExpectations
{
    private static readonly string[] Tls = ["tls", "dtls"];

    private static readonly Dictionary<string, string[]> Accepted = new(StringComparer.Ordinal)
    {
        // TLS on the wire: PSOM and SIP over TLS are TLS; cleartext here is the finding the audit exists for.
        ["tls"] = Tls, ["sip-tls"] = Tls, ["psom"] = Tls, ["https"] = Tls, ["ldaps"] = Tls, ["rpc-over-https"] = Tls,
        ["pop3s"] = Tls, ["imaps"] = Tls, ["nntps"] = Tls, ["sccp-tls"] = Tls,
        ["sip"] = ["sip"],
        ["ms-turn"] = ["stun"], ["stun"] = ["stun"],
        // Media ports carry ICE checks (STUN) and DTLS-SRTP key exchange besides RTP and RTCP.
        ["rtp"] = ["rtp", "rtcp", "stun", "dtls"], ["rtcp"] = ["rtcp", "rtp"],
        ["epm"] = ["dcerpc"], ["dcerpc"] = ["dcerpc"], ["dcerpc-dynamic"] = ["dcerpc"], ["msmq-rpc"] = ["dcerpc"],
        ["kerberos"] = ["kerberos"], ["kpasswd"] = ["kerberos"],
        ["ldap"] = ["ldap", "cldap"],
        ["smb"] = ["smb"],
        // SMB over the NetBIOS session service is labelled by what it carries.
        ["netbios-ssn"] = ["netbios-ssn", "smb"],
        ["netbios-ns"] = ["netbios-ns"], ["netbios-dgm"] = ["netbios-dgm"],
        ["dns"] = ["dns"],
        ["http"] = ["http"],
        // STARTTLS upgrades these in place; a flow labelled by its later TLS is still the same service.
        ["smtp"] = ["smtp", "tls"], ["pop3"] = ["pop3", "tls"], ["imap"] = ["imap", "tls"], ["nntp"] = ["nntp", "tls"],
        ["xmpp"] = ["xmpp", "tls"],
        ["rdp"] = ["rdp", "tls"],
        ["tds"] = ["tds"],
        ["ntp"] = ["ntp"],
        ["snmp"] = ["snmp"], ["snmp-trap"] = ["snmp"],
        ["radius"] = ["radius"], ["radius-accounting"] = ["radius"],
        ["isakmp"] = ["ike"], ["ipsec-nat-t"] = ["ike"],
    };

    // Protocols that send without waiting for an answer: an unanswered UDP flow of these is normal, not blocked.
    private static readonly HashSet<string> OneWay = new(StringComparer.Ordinal) { "netbios-dgm", "snmp-trap", "rtp", "rtcp" };

    /// <summary>True for protocols whose datagrams normally get no answer, so silence does not mean a firewall dropped them.</summary>
    public static bool IsOneWay(string ruleProtocol) => OneWay.Contains(ruleProtocol);

    /// <summary>The application labels that fulfil <paramref name="ruleProtocol"/>, or null when inspection cannot judge it.</summary>
    public static IReadOnlyList<string>? AcceptedApps(string ruleProtocol) => Accepted.GetValueOrDefault(ruleProtocol);

    /// <summary>True unless inspection found <paramref name="app"/> and it contradicts <paramref name="ruleProtocol"/>.</summary>
    public static bool Accepts(string ruleProtocol, string? app) =>
        app is null || !Accepted.TryGetValue(ruleProtocol, out var apps) || apps.Contains(app);
}
