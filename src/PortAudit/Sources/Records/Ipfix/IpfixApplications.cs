using PortAudit.Flows.Facts;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// Exporters' application names (IPFIX applicationName, RFC 6759; Palo Alto App-ID in NetFlow v9) mapped to our
/// labels. Only names that say the protocol are mapped; an exporter's name we have no label for is kept as a label of
/// its own (lowercase), as Zeek's services are. Application ids without a name (selector ids of a vendor's engine)
/// are not mapped: their meaning is the vendor's table, not ours.
/// </summary>
public static class IpfixApplications
{
    private static readonly Dictionary<string, AppLabel> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dns"] = AppLabel.Dns, ["http"] = AppLabel.Http, ["web-browsing"] = AppLabel.Http, ["ssl"] = AppLabel.Tls,
        ["tls"] = AppLabel.Tls, ["https"] = AppLabel.Tls, ["kerberos"] = AppLabel.Kerberos, ["ldap"] = AppLabel.Ldap,
        ["cldap"] = AppLabel.Cldap, ["msrpc"] = AppLabel.DceRpc, ["ms-rpc"] = AppLabel.DceRpc, ["msrpc-base"] = AppLabel.DceRpc,
        ["dcerpc"] = AppLabel.DceRpc, ["smb"] = AppLabel.Smb, ["cifs"] = AppLabel.Smb, ["ms-ds-smb"] = AppLabel.Smb,
        ["ms-ds-smbv2"] = AppLabel.Smb, ["ms-ds-smbv3"] = AppLabel.Smb, ["netbios-ns"] = AppLabel.NetBiosNs,
        ["netbios-dg"] = AppLabel.NetBiosDgm, ["netbios-ss"] = AppLabel.NetBiosSsn, ["rdp"] = AppLabel.Rdp, ["ms-rdp"] = AppLabel.Rdp,
        ["mssql"] = AppLabel.Tds, ["mssql-db"] = AppLabel.Tds, ["tds"] = AppLabel.Tds, ["sip"] = AppLabel.Sip, ["stun"] = AppLabel.Stun,
        ["smtp"] = AppLabel.Smtp, ["pop3"] = AppLabel.Pop3, ["imap"] = AppLabel.Imap, ["nntp"] = AppLabel.Nntp, ["xmpp"] = AppLabel.Xmpp,
        ["jabber"] = AppLabel.Xmpp, ["ntp"] = AppLabel.Ntp, ["snmp"] = AppLabel.Snmp, ["radius"] = AppLabel.Radius,
        ["ike"] = AppLabel.Ike, ["ipsec"] = AppLabel.Ike, ["rtp"] = AppLabel.Rtp, ["rtcp"] = AppLabel.Rtcp, ["dtls"] = AppLabel.Dtls,
    };

    /// <summary>Names that carry no application: an exporter that did not classify the flow.</summary>
    private static readonly HashSet<string> Unclassified = new(StringComparer.OrdinalIgnoreCase)
    {
        "unknown", "unknown-tcp", "unknown-udp", "incomplete", "insufficient-data", "not-applicable", "none", "other",
    };

    /// <summary>Our label for <paramref name="name"/>; null for no name or an unclassified flow.</summary>
    public static AppLabel? Label(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || Unclassified.Contains(name)) return null;
        return Names.TryGetValue(name, out var label) ? label : AppLabel.Of(name.ToLowerInvariant());
    }
}
