using PortAudit.Audit;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Inspect;
using static PortAudit.Audit.FindingKind;
using static PortAudit.Tests.Scenarios.Judge;
using static PortAudit.Tests.Scenarios.Payloads;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// A security review of what crosses segments (inventory security-review.yaml): problems a reviewer plants where
/// an allowed port hides them (DCSync and the print spooler on a DC over dynamic RPC, DFSCoerce and ShadowCoerce on
/// named pipes over SMB, DNS in Unity's MAPI notification
/// range, TLS and QUIC to a paste site from the A/V Edge, OpenVPN and WireGuard from it and a SOCKS proxy on it, the
/// reverse proxy opening a tunnel into the domain for an Internet host's CONNECT, cleartext SIP to the Front End, SMB1, a password in clear, the Internet at a DC's DNS and a terminal server's RDP, NETLOGON from
/// an address nobody listed, SQL to Exchange, a 6in4 tunnel from the Internet to a workstation, VXLAN from it to the A/V
/// Edge), beside the legitimate flows they
/// look like: replication between the DCs, name translation, the secure channel and the LSA pipe from members, printing through the
/// print server's dynamic RPC, the Unity secondary's SCCP over TLS, MS-TURN's pseudo-TLS and STUN from the Edge, the web
/// pages the reverse proxy publishes and forwards, and more. Every
/// planted problem must raise a finding carrying its flows' ids, no legitimate flow may.
/// </summary>
public static class SecurityReview
{
    private const string Dc01 = "10.40.1.10", Dc02 = "10.40.1.11", Fs01 = "10.40.2.10", Print01 = "10.40.2.20", Ts01 = "10.40.2.30";
    private const string Exch01 = "10.40.3.10", Unity01 = "10.40.4.10", Unity02 = "10.40.4.11", Cucm01 = "10.40.4.20", Fe01 = "10.40.5.10";
    private const string EdgeExt = "198.51.100.10", Ws1 = "10.40.101.21", Ws2 = "10.40.100.22", Stranger = "10.40.99.99";
    private const string Internet = "203.0.113.77", Partner = "192.0.2.40", Vpn = "203.0.113.99", Proxied = "203.0.113.88";
    private const string Rp01 = "198.51.100.20", Tunneller = "203.0.113.66", TunnelBroker = "203.0.113.55";
    // The kiosk's IPv6 address behind a 6in4 tunnel, and the Internet host that reaches it through the tunnel.
    private const string KioskV6 = "2001:db8:40:101::21", RemoteV6 = "2001:db8:77::5";
    // An overlay the kiosk bridges to the A/V Edge over VXLAN: its hosts' addresses are in no segment of the site.
    private const string OverlayEdge = "172.31.0.5", OverlayKiosk = "172.31.0.9";

    /// <summary>Interfaces the scenario binds beyond <see cref="Payloads"/>' own.</summary>
    public static readonly Guid Spoolss = new("12345678-1234-abcd-ef00-0123456789ab"),
        RemoteWinspool = new("76f03f96-cdfd-44fc-a22c-64950a001209");

    /// <summary>The scenario.</summary>
    public static Scenario Build() => new()
    {
        Name = "security-review",
        Generated = [Capture()],
        // Ten minutes of one conversation per host pair, half of them attacks: nothing to learn roles from.
        TeachesRoles = false,
        Labels = Labels,
        Planted =
        [
            new("DCSync: a workstation (a kiosk) calls DRSUAPI's DsGetNCChanges on a DC's dynamic port", RpcInterface, "ws-kiosk", "dc01", 49670,
                Verdict.Unexpected) { Severity = Severity.High },
            new("the print spooler (MS-RPRN) bound on a DC, which is no print server", RpcInterface, "ws-kiosk", "dc01", 49671,
                Verdict.Unexpected) { Severity = Severity.High },
            new("DNS queries from Exchange to Unity in the MAPI notification range", ProtocolMismatch, "exch01", "unity01", 40000,
                Verdict.ProtocolMismatch),
            new("real TLS to a paste site from the A/V Edge on its MS-TURN/TCP port", ProtocolMismatch, "edge-ext", Internet, 443,
                Verdict.ProtocolMismatch),
            new("QUIC to a paste site from the A/V Edge on its STUN/TURN UDP port", ProtocolMismatch, "edge-ext", Internet, 3478,
                Verdict.ProtocolMismatch),
            new("an OpenVPN tunnel from the A/V Edge to the Internet on its MS-TURN/TCP port", ProtocolMismatch, "edge-ext", Vpn, 443,
                Verdict.ProtocolMismatch),
            new("WireGuard from the A/V Edge on its STUN/TURN UDP port, captured after its handshake", ProtocolMismatch, "edge-ext", Vpn, 3478,
                Verdict.ProtocolMismatch),
            new("a SOCKS proxy on the A/V Edge's 443 taking an Internet host to a DC's SMB", ProtocolMismatch, Proxied, "edge-ext", 443,
                Verdict.ProtocolMismatch),
            new("an Internet host's CONNECT through the reverse proxy's web listener to a DC's RDP, which the proxy opens", ProtocolMismatch,
                Tunneller, "rp01", 80, Verdict.ProtocolMismatch),
            new("cleartext SIP REGISTER from a workstation to the Front End on 5060", Unexpected, "ws-kiosk", "fe01", 5060, Verdict.Unexpected),
            new("SMBv1 negotiate from a workstation to the file server", WeakProtocol, "ws-kiosk", "fs01", 445),
            new("an LDAP simple bind with a password in clear text to a DC", WeakProtocol, "ws-kiosk", "dc01", 389),
            new("an Internet host at the DC's DNS over TCP", Unexpected, Internet, "dc01", 53, Verdict.Unexpected),
            new("an Internet host at the terminal server's RDP", Unexpected, Internet, "ts01", 3389, Verdict.Unexpected),
            new("an address outside the inventory binds NETLOGON on a DC", RpcInterface, Stranger, "dc01", 49672) { Severity = Severity.High },
            new("a workstation to Exchange on 1433 (SQL)", Unexpected, "ws-kiosk", "exch01", 1433, Verdict.Unexpected),
            new("a 6in4 tunnel from a tunnel broker to a workstation, carrying RDP over IPv6", Unexpected, TunnelBroker, "ws-kiosk", 0,
                Verdict.Unexpected),
            new("DFSCoerce: a workstation calls NETDFS's NetrDfsAddStdRoot on a DC's netdfs pipe, over the SMB it may reach", RpcInterface,
                "ws-kiosk", "dc01", 445, Verdict.Unexpected) { Severity = Severity.High },
            new("ShadowCoerce: a workstation calls FSRVP's IsPathSupported on the print server's FssagentRpc pipe", RpcInterface, "ws-kiosk",
                "print01", 445, Verdict.Unexpected) { Severity = Severity.High },
            new("VXLAN from a workstation to the A/V Edge, bridging an overlay across the perimeter that carries SMB", Unexpected, "ws-kiosk",
                "edge-ext", 4789, Verdict.Unexpected),
            // Each end sends to the other's 4789: the firewall passes two UDP conversations, one each way.
            new("the A/V Edge's VXLAN back to the workstation", Unexpected, "edge-ext", "ws-kiosk", 4789, Verdict.Unexpected),
            // The legitimate flows: each must be judged allowed and raise no finding.
            new("replication between the DCs (DsGetNCChanges from a DC)", null, "dc02", "dc01", 49670, Verdict.ExpectedDynamicRpc,
                RpcInterface, Unexpected, ProtocolMismatch),
            new("name translation from a member (DsBind, DsCrackNames)", null, "workstations", "dc01", 49673, Verdict.ExpectedDynamicRpc,
                RpcInterface, Unexpected),
            new("the Net Logon secure channel from a member", null, "workstations", "dc01", 49674, Verdict.ExpectedDynamicRpc, RpcInterface, Unexpected),
            new("printing through the print server's dynamic RPC (MS-PAR)", null, "workstations", "print01", 49700, Verdict.ExpectedDynamicRpc,
                RpcInterface, Unexpected),
            new("Outlook's MAPI to Exchange over dynamic RPC", null, "workstations", "exch01", 49710, Verdict.ExpectedDynamicRpc, RpcInterface, Unexpected),
            new("the Unity secondary's SCCP over TLS to CUCM", null, "unity02", "cucm01", 2443, Verdict.Expected, Unexpected, ProtocolMismatch),
            new("MS-TURN's pseudo-TLS from the A/V Edge to a partner's Edge", null, "edge-ext", Partner, 443, Verdict.Expected, ProtocolMismatch),
            new("STUN from the A/V Edge to a partner's Edge", null, "edge-ext", Partner, 3478, Verdict.Expected, ProtocolMismatch, Unexpected),
            new("an SMB2 session from a workstation to the file server", null, "workstations", "fs01", 445, Verdict.Expected, WeakProtocol, Unexpected),
            new("RDP from a workstation to the terminal server", null, "workstations", "ts01", 3389, Verdict.Expected, Unexpected),
            new("SIP over TLS from a workstation to the Front End", null, "workstations", "fe01", 5061, Verdict.Expected, Unexpected, ProtocolMismatch),
            new("Exchange's MAPI notifications to Unity", null, "exch01", "unity01", 40001, Verdict.Expected, ProtocolMismatch),
            new("DNS from a workstation to a DC", null, "workstations", "dc01", 53, Verdict.Expected, Unexpected, ProtocolMismatch),
            new("a member opens the LSA policy on a DC's lsarpc pipe", null, "workstations", "dc01", 445, Verdict.Expected, RpcInterface, Unexpected),
            new("an anonymous LDAP bind from a workstation to a DC", null, "workstations", "dc01", 389, Verdict.Expected, WeakProtocol, Unexpected),
            new("a page request from the Internet to the reverse proxy's web listener", null, Internet, "rp01", 80, Verdict.Expected,
                ProtocolMismatch, Unexpected),
            new("the reverse proxy forwarding to the Front End's external web site", null, "rp01", "fe01", 8080, Verdict.Expected,
                ProtocolMismatch, Unexpected),
        ],
    };

    private static ScenarioCapture Capture()
    {
        // 2026-11-24 14:00 UTC: ten minutes, too short for any periodic requirement to be missing.
        var c = new ScenarioCapture("security-review.pcap", 1_795_528_800);
        // Legitimate.
        Rpc(c, Dc02, Dc01, 49670, 10, Drsuapi, 0, 3, 1);
        Rpc(c, Ws2, Dc01, 49673, 20, Drsuapi, 0, 12, 1);
        Rpc(c, Ws2, Dc01, 49674, 30, Netlogon, 4, 26);
        Rpc(c, Ws2, Print01, 49700, 40, RemoteWinspool, 0, 1);
        Rpc(c, Ws2, Exch01, 49710, 50, Emsmdb, 10, 11);
        c.Tcp(Unity02, Cucm01, 2443, 60, TlsClientHello("cucm01.corp.example"), TlsServerHello);
        c.Tcp(EdgeExt, Partner, 443, 70, TlsClientHello(""), PseudoTlsServerHello);
        c.Udp(EdgeExt, Partner, 3478, 75, StunBinding, StunBindingOk);
        c.Tcp(Ws2, Fs01, 445, 80, Smb2Negotiate, Smb2Negotiate);
        c.Tcp(Ws2, Ts01, 3389, 90, RdpConnectionRequest, RdpConnectionConfirm);
        c.Tcp(Ws2, Fe01, 5061, 100, TlsClientHello("fe01.corp.example"), TlsServerHello);
        c.Udp(Exch01, Unity01, 40001, 110, MapiNotification, answer: Answer.Silent);
        c.Udp(Ws2, Dc01, 53, 120, DnsQuery, DnsAnswer);
        c.Tcp(Internet, Rp01, 80, 130, HttpGet("meet.corp.example", "/meet/alice"), PageFound);
        c.Tcp(Rp01, Fe01, 8080, 131, HttpGet("meet.corp.example", "/meet/alice"), PageFound);
        c.Tcp(Ws2, Dc01, 389, 125, LdapBind, LdapBindOk);
        PipeRpc(c, Ws2, Dc01, 126, "lsarpc", Lsarpc, 0, 44);
        // Planted.
        Rpc(c, Ws1, Dc01, 49670, 200, Drsuapi, 0, 3);
        Rpc(c, Ws1, Dc01, 49671, 210, Spoolss, 69, 89);
        c.Udp(Exch01, Unity01, 40000, 220, DnsQuery, DnsAnswer);
        c.Tcp(EdgeExt, Internet, 443, 230, TlsClientHello("paste.evil.example"), TlsServerHello);
        c.Udp(EdgeExt, Internet, 3478, 235, QuicPackets.ClientInitial(TlsClientHello("paste.evil.example")[5..]), QuicPackets.ServerLongHeader());
        c.Tcp(EdgeExt, Vpn, 443, 236, TunnelMessages.OverTcp(TunnelMessages.OpenVpn(7, 0x0B5E_55104)),
            TunnelMessages.OverTcp(TunnelMessages.OpenVpn(8, 0x5E4E4, acknowledged: 0x0B5E_55104)));
        c.UdpExchanges(EdgeExt, Vpn, 3478, 237, 3, 0.05, i => TunnelMessages.WireGuardTransport(0x5EED, 40 + (ulong)i, 96),
            sent => TunnelMessages.WireGuardTransport(0xFACE, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(sent.AsSpan(8)) + 1000, 128));
        c.TcpSession(Proxied, EdgeExt, 443, 238, [new(0.01, true, TunnelMessages.SocksGreeting), new(0.02, false, TunnelMessages.SocksChoice(0)),
            new(0.03, true, TunnelMessages.SocksConnect("dc01.corp.example", 445)), new(0.04, false, TunnelMessages.SocksSucceeded)]);
        c.TcpSession(Tunneller, Rp01, 80, 239, [new(0.01, true, Ascii("CONNECT dc01.corp.example:3389 HTTP/1.1\r\nHost: dc01.corp.example:3389\r\n\r\n")),
            new(0.02, false, Ascii("HTTP/1.1 200 Connection established\r\n\r\n")), new(0.03, true, RdpConnectionRequest)]);
        c.Tcp(Ws1, Fe01, 5060, 240, SipRequest("REGISTER", "alice@corp.example", "corp.example"), SipOk);
        c.Tcp(Ws1, Fs01, 445, 250, Smb1Negotiate, Smb1Negotiate);
        c.Tcp(Ws1, Dc01, 389, 260, LdapMessages.SimpleBind(1, "cn=svc-backup,dc=corp,dc=example", "Winter2026!"), LdapBindOk);
        c.Tcp(Internet, Dc01, 53, 270, DnsOverTcp(DnsQuery), DnsOverTcp(DnsAnswer));
        c.Tcp(Internet, Ts01, 3389, 280, RdpConnectionRequest, RdpConnectionConfirm);
        Rpc(c, Stranger, Dc01, 49672, 290, Netlogon, 4, 26, 30);
        c.Tcp(Ws1, Exch01, 1433, 300, TdsPrelogin, TdsPrelogin);
        c.Tunnel(TunnelBroker, Ws1, PortAudit.Common.IpProtocol.Ipv6InIp,
            inside => inside.Tcp(RemoteV6, KioskV6, 3389, 310, RdpConnectionRequest, RdpConnectionConfirm));
        c.Tunnel(Ws1, EdgeExt, PortAudit.Common.IpProtocol.Udp,
            inside => inside.Tcp(OverlayEdge, OverlayKiosk, 445, 320, Smb2Negotiate, Smb2Negotiate));
        PipeRpc(c, Ws1, Dc01, 330, "netdfs", Netdfs, 3, 12);
        PipeRpc(c, Ws1, Print01, 340, "FssagentRpc", Fsrvp, 1, 8);
        return c;
    }

    // The endpoint mapper names the port, then the client binds the interface there and calls the operations.
    private static void Rpc(ScenarioCapture c, string client, string server, ushort port, double at, Guid iface, params ushort[] opnums)
    {
        c.Tcp(client, server, 135, at, EpmMapRequest(), EpmMapResponse(iface, server, port));
        var calls = DceRpcPdus.Bind(iface, 4).Concat(opnums.SelectMany((op, i) => DceRpcPdus.Request(op, (uint)(i + 2), new byte[16]))).ToArray();
        c.Tcp(client, server, port, at + 1, calls, DceRpcPdus.Bind(iface, 4, type: 12));
    }

    // An SMB2 session on 445 that opens a named pipe, binds the interface on it and calls the operation through
    // FSCTL_PIPE_TRANSCEIVE, as rpcclient does.
    private static void PipeRpc(ScenarioCapture c, string client, string server, double at, string pipe, Guid iface, ushort major, ushort opnum)
    {
        byte[] file = Enumerable.Range(0x40, 16).Select(i => (byte)i).ToArray();
        c.TcpSession(client, server, 445, at,
        [
            new(0.01, true, PipeNegotiate), new(0.02, false, PipeNegotiated),
            new(0.03, true, SmbPipeFollowerTests.CreateRequest(5, pipe)), new(0.04, false, SmbPipeFollowerTests.CreateResponse(5, file)),
            new(0.05, true, SmbPipeFollowerTests.Transceive(6, file, DceRpcPdus.Bind(iface, major))),
            new(0.06, false, SmbPipeFollowerTests.Transceive(6, file, DceRpcPdus.Bind(iface, major, type: 12), response: true)),
            new(0.07, true, SmbPipeFollowerTests.Transceive(7, file, DceRpcPdus.Request(opnum, 2, new byte[16]))),
        ]);
    }

    // An SMB2 NEGOTIATE offering SMB 3.1.1 and its answer choosing it ([MS-SMB2] 2.2.3, 2.2.4), unencrypted as rpcclient's
    // session with smbd was.
    private static readonly byte[] PipeNegotiate = SmbPipeFollowerTests.Smb2(0, 0, Hex("2400 0100 0100 0000 00000000").Concat(new byte[24]).Concat(Hex("1103")).ToArray());
    private static readonly byte[] PipeNegotiated = SmbPipeFollowerTests.Smb2(0, 0, Hex("4100 0100 1103 0000").Concat(new byte[56]).ToArray(), response: true);

    // [MS-LSAD] 1.9, [MS-DFSNM] 1.9, [MS-FSRVP] 1.9.
    private static readonly Guid Lsarpc = new("12345778-1234-abcd-ef00-0123456789ab"), Netdfs = new("4fc742e0-4a10-11cf-8273-00aa004ae673"),
        Fsrvp = new("a8e0653c-2744-4389-a61d-7373df8b2292");

    /// <summary>An SMB1 NEGOTIATE offering only "NT LM 0.12", over direct TCP ([MS-CIFS] 2.2.4.52.1).</summary>
    private static readonly byte[] Smb1Negotiate = Hex(
        "00 00002f ff534d42 72 00000000 18 5328 0000 0000000000000000 0000 0000 fffe 0000 0000 00 0c00 02 4e54204c4d20302e313200");

    /// <summary>A TLS ServerHello and ServerHelloDone in one record: MS-TURN's pseudo-TLS answer ([MS-TURN] 3.2.5.1).</summary>
    private static readonly byte[] PseudoTlsServerHello = Hex(
        "16 0301 002e 02 000026 0301 0000000000000000000000000000000000000000000000000000000000000000 00 0004 00 0e 000000");

    /// <summary>An RDP connection request (TPKT, X.224 CR, RDP negotiation request for TLS).</summary>
    private static readonly byte[] RdpConnectionRequest = Hex("0300 0013 0e e0 0000 0000 00 01 00 0800 01000000");

    /// <summary>The X.224 connection confirm choosing TLS.</summary>
    private static readonly byte[] PageFound = Ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

    private static readonly byte[] RdpConnectionConfirm = Hex("0300 0013 0e d0 0000 1234 00 02 00 0800 01000000");

    /// <summary>A TDS PRELOGIN message head (MS-TDS 2.2.6.5): a SQL Server client's first bytes.</summary>
    private static readonly byte[] TdsPrelogin = Hex("12 01 002f 0000 0100 00 001a 0006 01 0020 0001 02 0021 0001 03 0022 0004 04 0026 0001 ff 0e000000000000 00 00000000 00");

    private static byte[] DnsOverTcp(byte[] message) => new[] { (byte)(message.Length >> 8), (byte)message.Length }.Concat(message).ToArray();

    private static readonly FindingLabel[] Labels =
    [
        Act(RpcInterface, "ws-kiosk", "dc01", "49670", null, "a workstation pulls directory changes like a DC (DCSync): isolate it, reset krbtgt"),
        Act(RpcInterface, "ws-kiosk", "dc01", "49671", null, "a workstation drives the spooler of a DC that prints nothing (PrintNightmare): disable the spooler on DCs"),
        Act(ProtocolMismatch, "exch01", "unity01", "40000", null, "DNS inside the MAPI notification range: a tunnel or a misdirected resolver, find the process"),
        // One finding each between the Edge and the Internet, whose reason names both protocols found.
        Act(ProtocolMismatch, "edge-ext", Internet, "443", null,
            "the A/V Edge speaks real TLS to a paste site and opens an OpenVPN tunnel on the relay's port: exfiltration and a way out"),
        Act(ProtocolMismatch, "edge-ext", Internet, "3478", null,
            "the A/V Edge speaks QUIC (HTTP/3) to a paste site and runs WireGuard on the STUN/TURN port: exfiltration and a way out"),
        Act(ProtocolMismatch, Proxied, "edge-ext", "443", null, "a SOCKS proxy answers on the Edge's 443 and relays into the domain: remove it"),
        Act(ProtocolMismatch, Tunneller, "rp01", "80", null,
            "the reverse proxy works as a forward proxy and opened a tunnel from the Internet to a DC's RDP: allow no CONNECT on it"),
        Act(Unexpected, "ws-kiosk", "fe01", "5060", null, "a client registers in clear text on the Front End's static-route listener: close 5060 to clients"),
        Act(WeakProtocol, "ws-kiosk", "fs01", "445", null, "SMB1 on the file server: disable it"),
        Act(WeakProtocol, "ws-kiosk", "dc01", "389", null, "a service account's password crosses in clear text: require signing or LDAPS"),
        Act(Unexpected, Internet, "dc01", "53", null, "the Internet reaches the DC's DNS: the DC publishes nothing, close it at the perimeter"),
        Act(Unexpected, Internet, "ts01", "3389", null, "the Internet reaches RDP on the terminal server, which is not published: close it"),
        Act(RpcInterface, Stranger, "dc01", "49672", null, "an unknown machine sets up a Net Logon secure channel (Zerologon's calls): find it"),
        Act(Unmapped, Stranger, "dc01", "135", null, "the same unknown machine asks the DC's endpoint mapper for NETLOGON: find it"),
        Act(Unexpected, "ws-kiosk", "exch01", "1433", null, "SQL from a workstation to Exchange, which runs no SQL Server: find the client"),
        Act(Unexpected, TunnelBroker, "ws-kiosk", "0", null,
            "a tunnel broker reaches a workstation over 6in4 (IP protocol 41): an IPv6 path past the IPv4 rules, drop protocol 41 at the perimeter"),
        Act(Unexpected, RemoteV6, KioskV6, null, null, "an Internet host's RDP to the kiosk, carried by that tunnel: find who set it up"),
        Act(RpcInterface, "ws-kiosk", "dc01", "445", null,
            "a workstation asks the DC to add a DFS root (DFSCoerce), making it authenticate to a host of the caller's choice: relay bait, block netdfs"),
        Act(RpcInterface, "ws-kiosk", "print01", "445", null,
            "a workstation asks a server about shadow copies (ShadowCoerce), making it authenticate to a host of the caller's choice: find the tool"),
        Act(Unexpected, "ws-kiosk", "edge-ext", "4789", null,
            "the kiosk bridges a layer-2 overlay to the A/V Edge over VXLAN (4789/udp): the firewall passes the overlay's traffic unseen, remove it"),
        Act(Unexpected, "edge-ext", "ws-kiosk", "4789", null, "the Edge's half of the same overlay: VXLAN to the kiosk's 4789, remove it with the other"),
        Act(Unexpected, OverlayEdge, OverlayKiosk, null, null, "SMB inside that overlay, between addresses no segment lists: find who built it"),
    ];
}
