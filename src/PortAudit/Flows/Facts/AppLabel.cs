namespace PortAudit.Flows.Facts;

/// <summary>
/// The application protocol inspection found on a flow (sip, tls, dcerpc...). Labels are compared as values of this
/// type, never as free text, so that the inspectors, the catalog's protocol table and the audit cannot drift apart
/// on a spelling; each built-in protocol has one well-known instance.
/// </summary>
public sealed class AppLabel : IEquatable<AppLabel>
{
    private static readonly Dictionary<string, AppLabel> Known = new(StringComparer.Ordinal);

    /// <summary>SIP, in clear (UDP or TCP).</summary>
    public static readonly AppLabel Sip = WellKnown("sip");
    /// <summary>TLS over TCP, whatever it carries.</summary>
    public static readonly AppLabel Tls = WellKnown("tls");
    /// <summary>DTLS over UDP.</summary>
    public static readonly AppLabel Dtls = WellKnown("dtls");
    /// <summary>QUIC (RFC 9000, 9369 and drafts 29 to 32), whatever it carries: read from the client's Initial.</summary>
    public static readonly AppLabel Quic = WellKnown("quic");
    /// <summary>STUN, TURN and MS-TURN.</summary>
    public static readonly AppLabel Stun = WellKnown("stun");
    /// <summary>
    /// A TLS opening without TLS: a ServerHello and ServerHelloDone in one record, as MS-TURN's pseudo-TLS opens, followed
    /// by bytes that are neither MS-TURN nor the rest of a TLS handshake (a tunnel that passes for MS-TURN or TLS).
    /// </summary>
    public static readonly AppLabel PseudoTls = WellKnown("pseudo-tls");
    /// <summary>DCE/RPC, connection-oriented or connectionless.</summary>
    public static readonly AppLabel DceRpc = WellKnown("dcerpc");
    /// <summary>Kerberos.</summary>
    public static readonly AppLabel Kerberos = WellKnown("kerberos");
    /// <summary>LDAP over TCP.</summary>
    public static readonly AppLabel Ldap = WellKnown("ldap");
    /// <summary>Connectionless LDAP (over UDP).</summary>
    public static readonly AppLabel Cldap = WellKnown("cldap");
    /// <summary>SMB 1, 2 or 3.</summary>
    public static readonly AppLabel Smb = WellKnown("smb");
    /// <summary>NetBIOS name service.</summary>
    public static readonly AppLabel NetBiosNs = WellKnown("netbios-ns");
    /// <summary>NetBIOS datagram service.</summary>
    public static readonly AppLabel NetBiosDgm = WellKnown("netbios-dgm");
    /// <summary>NetBIOS session service.</summary>
    public static readonly AppLabel NetBiosSsn = WellKnown("netbios-ssn");
    /// <summary>DNS, mDNS and LLMNR.</summary>
    public static readonly AppLabel Dns = WellKnown("dns");
    /// <summary>RDP.</summary>
    public static readonly AppLabel Rdp = WellKnown("rdp");
    /// <summary>TDS (SQL Server).</summary>
    public static readonly AppLabel Tds = WellKnown("tds");
    /// <summary>HTTP/1.x and cleartext HTTP/2.</summary>
    public static readonly AppLabel Http = WellKnown("http");
    /// <summary>
    /// An HTTP proxy's tunnel: a CONNECT request (RFC 9110 9.3.6) asking the server to open a TCP connection to the host
    /// and port it names and relay whatever follows.
    /// </summary>
    public static readonly AppLabel HttpProxy = WellKnown("http-proxy");
    /// <summary>SMTP.</summary>
    public static readonly AppLabel Smtp = WellKnown("smtp");
    /// <summary>POP3.</summary>
    public static readonly AppLabel Pop3 = WellKnown("pop3");
    /// <summary>IMAP.</summary>
    public static readonly AppLabel Imap = WellKnown("imap");
    /// <summary>NNTP.</summary>
    public static readonly AppLabel Nntp = WellKnown("nntp");
    /// <summary>XMPP.</summary>
    public static readonly AppLabel Xmpp = WellKnown("xmpp");
    /// <summary>NTP.</summary>
    public static readonly AppLabel Ntp = WellKnown("ntp");
    /// <summary>SNMP.</summary>
    public static readonly AppLabel Snmp = WellKnown("snmp");
    /// <summary>RADIUS.</summary>
    public static readonly AppLabel Radius = WellKnown("radius");
    /// <summary>IKE (ISAKMP), also behind NAT-T.</summary>
    public static readonly AppLabel Ike = WellKnown("ike");
    /// <summary>RTP, by heuristic.</summary>
    public static readonly AppLabel Rtp = WellKnown("rtp");
    /// <summary>RTCP, by heuristic.</summary>
    public static readonly AppLabel Rtcp = WellKnown("rtcp");
    /// <summary>FTP control connection.</summary>
    public static readonly AppLabel Ftp = WellKnown("ftp");
    /// <summary>An FTP data connection, announced on its control connection (PORT, PASV, EPRT, EPSV).</summary>
    public static readonly AppLabel FtpData = WellKnown("ftp-data");

    /// <summary>TFTP: a read or write request on 69, and the transfer it announced from the server's new port.</summary>
    public static readonly AppLabel Tftp = WellKnown("tftp");
    /// <summary>Cisco SCCP (Skinny) in clear.</summary>
    public static readonly AppLabel Sccp = WellKnown("sccp");
    /// <summary>DHCP and BOOTP with the DHCP magic cookie (also PXE on 4011).</summary>
    public static readonly AppLabel Dhcp = WellKnown("dhcp");
    /// <summary>DHCPv6.</summary>
    public static readonly AppLabel Dhcpv6 = WellKnown("dhcpv6");
    /// <summary>SSDP (UPnP discovery over UDP).</summary>
    public static readonly AppLabel Ssdp = WellKnown("ssdp");
    /// <summary>MS-RDPEUDP: RDP's UDP transport.</summary>
    public static readonly AppLabel RdpUdp = WellKnown("rdpeudp");
    /// <summary>Kerberos change/set password (RFC 3244).</summary>
    public static readonly AppLabel Kpasswd = WellKnown("kpasswd");
    /// <summary>MSMQ's binary protocol ([MC-MQQB]).</summary>
    public static readonly AppLabel Msmq = WellKnown("msmq");
    /// <summary>SQL Server Resolution Protocol (the SQL Server browser, [MC-SQLR]).</summary>
    public static readonly AppLabel SqlBrowser = WellKnown("sql-browser");
    /// <summary>WINS replication ([MS-WINSRA]).</summary>
    public static readonly AppLabel WinsReplication = WellKnown("wins-replication");
    /// <summary>Telnet.</summary>
    public static readonly AppLabel Telnet = WellKnown("telnet");
    /// <summary>RTSP.</summary>
    public static readonly AppLabel Rtsp = WellKnown("rtsp");
    /// <summary>PPTP control connection.</summary>
    public static readonly AppLabel Pptp = WellKnown("pptp");
    /// <summary>L2TP over UDP.</summary>
    public static readonly AppLabel L2tp = WellKnown("l2tp");
    /// <summary>CAPWAP (RFC 5415): a wireless access point's control and data channels to its controller.</summary>
    public static readonly AppLabel Capwap = WellKnown("capwap");
    /// <summary>VNC (the RFB protocol).</summary>
    public static readonly AppLabel Vnc = WellKnown("vnc");
    /// <summary>SSH (the identification line either side sends first).</summary>
    public static readonly AppLabel Ssh = WellKnown("ssh");
    /// <summary>WireGuard (a handshake initiation answered by its response).</summary>
    public static readonly AppLabel WireGuard = WellKnown("wireguard");
    /// <summary>OpenVPN (its control channel: a client's hard reset tied to its session ID).</summary>
    public static readonly AppLabel OpenVpn = WellKnown("openvpn");
    /// <summary>SOCKS 4, 4a or 5 (a proxy: the client's opening answered by the server).</summary>
    public static readonly AppLabel Socks = WellKnown("socks");
    /// <summary>DNSCrypt (encrypted DNS: a client's query answered by the resolver's magic).</summary>
    public static readonly AppLabel DnsCrypt = WellKnown("dnscrypt");
    /// <summary>Teredo (IPv6 tunnelled in UDP through NAT: an IPv6 packet whose end is a Teredo address, or the qualification).</summary>
    public static readonly AppLabel Teredo = WellKnown("teredo");
    /// <summary>Modbus/TCP (an MBAP header, protocol id 0, on 502).</summary>
    public static readonly AppLabel Modbus = WellKnown("modbus");
    /// <summary>Siemens S7comm (protocol id 0x32 in ISO COTP data over TPKT, on 102).</summary>
    public static readonly AppLabel S7comm = WellKnown("s7comm");
    /// <summary>EtherNet/IP's encapsulation (CIP over TCP and UDP 44818).</summary>
    public static readonly AppLabel EtherNetIp = WellKnown("enip");
    /// <summary>VXLAN (RFC 7348: Ethernet frames in UDP on 4789), named by the decoder that opens it, on the tunnel's own flow.</summary>
    public static readonly AppLabel Vxlan = WellKnown("vxlan");
    /// <summary>Geneve (RFC 8926: Ethernet frames or IP packets in UDP on 6081), named by the decoder that opens it, on the tunnel's own flow.</summary>
    public static readonly AppLabel Geneve = WellKnown("geneve");
    /// <summary>GTP-U (3GPP TS 29.281: users' IP packets in UDP on 2152), named by the decoder that opens it, on the tunnel's own flow.</summary>
    public static readonly AppLabel GtpU = WellKnown("gtp-u");
    /// <summary>GTP-C (3GPP TS 29.060 and 29.274: the control plane of a mobile core's tunnels, UDP on 2123).</summary>
    public static readonly AppLabel GtpC = WellKnown("gtp-c");

    private AppLabel(string name) => Name = name;

    /// <summary>The label as outputs write it.</summary>
    public string Name { get; }

    /// <summary>
    /// The label named <paramref name="name"/>: the well-known instance when there is one, else a new label, for
    /// inspectors defined outside this library.
    /// </summary>
    public static AppLabel Of(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (Known) return Known.TryGetValue(name, out var label) ? label : new AppLabel(name);
    }

    /// <summary>The names of the well-known labels, for messages that say what a word may be.</summary>
    public static IReadOnlyList<string> WellKnownNames
    {
        get
        {
            lock (Known) return [.. Known.Keys];
        }
    }

    /// <summary>The well-known label named <paramref name="name"/>, if there is one.</summary>
    public static bool TryGetWellKnown(string name, out AppLabel label)
    {
        lock (Known) return Known.TryGetValue(name, out label!);
    }

    private static AppLabel WellKnown(string name)
    {
        var label = new AppLabel(name);
        Known.Add(name, label);
        return label;
    }

    /// <inheritdoc />
    public bool Equals(AppLabel? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AppLabel);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <summary>Labels are equal when their names are.</summary>
    public static bool operator ==(AppLabel? left, AppLabel? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Labels differ when their names do.</summary>
    public static bool operator !=(AppLabel? left, AppLabel? right) => !(left == right);

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
