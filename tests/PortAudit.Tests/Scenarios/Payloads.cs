using System.Net;
using System.Buffers.Binary;
using PortAudit.Inspect.DceRpc;
using PortAudit.Tests.Inspect;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// First bytes of the conversations scenarios generate, real enough that inspection labels them as on a real wire
/// (a TLS ClientHello with SNI, SIP request lines, an LDAP bind, DCE/RPC binds and endpoint-mapper answers...).
/// </summary>
public static class Payloads
{
    /// <summary>Interfaces scenarios bind to.</summary>
    public static readonly Guid Netlogon = new("12345678-1234-abcd-ef00-01234567cffb"),
        Emsmdb = new("a4f1db00-ca47-1067-b31f-00dd010662da"),
        RemUnknown2 = new("00000143-0000-0000-c000-000000000046"),
        Drsuapi = new("e3514235-4b06-11d1-ab04-00c04fc2dcd2");

    /// <summary>A TLS 1.3 ClientHello naming <paramref name="sni"/>.</summary>
    public static byte[] TlsClientHello(string sni) => TlsInspectorTests.ClientHello(sni);

    /// <summary>A TLS ServerHello-like handshake record: what a server sends back; its content is not judged.</summary>
    public static readonly byte[] TlsServerHello = Hex("16 0303 0004 02 000000");

    /// <summary>A SIP request in clear text.</summary>
    public static byte[] SipRequest(string method, string from, string to) => Ascii(
        $"{method} sip:{to} SIP/2.0\r\nVia: SIP/2.0/TCP {from};branch=z9hG4bK776asdhds\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:{from}>;tag=1928301774\r\nTo: <sip:{to}>\r\nCall-ID: a84b4c76e66710@{from}\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n");

    /// <summary>A SIP 200 OK.</summary>
    public static readonly byte[] SipOk = Ascii("SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

    /// <summary>A STUN binding request (RFC 5389).</summary>
    public static readonly byte[] StunBinding = Hex("0001 0008 2112a442 000102030405060708090a0b 8022 0004 74657374");

    /// <summary>A STUN binding success response.</summary>
    public static readonly byte[] StunBindingOk = Hex("0101 000c 2112a442 000102030405060708090a0b 0020 0008 0001 a147 e112a643");

    /// <summary>An XMPP server-to-server stream header (jabber:server).</summary>
    public static byte[] XmppServerStream(string to) => Ascii(
        $"<?xml version='1.0'?><stream:stream to='{to}' xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");

    /// <summary>An HTTP GET.</summary>
    public static byte[] HttpGet(string host, string path = "/") => Ascii($"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");

    /// <summary>An HTTP 200 response head.</summary>
    public static readonly byte[] HttpOk = Ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

    /// <summary>An LDAP anonymous simple bind (messageID 1, version 3).</summary>
    public static readonly byte[] LdapBind = Hex("30 0c 02 01 01 60 07 02 01 03 04 00 80 00");

    /// <summary>An LDAP bindResponse, success.</summary>
    public static readonly byte[] LdapBindOk = Hex("30 0c 02 01 01 61 07 0a 01 00 04 00 04 00");

    /// <summary>A Kerberos AS-REQ skeleton, framed for TCP when <paramref name="tcp"/>.</summary>
    public static byte[] KerberosAsReq(bool tcp)
    {
        var asReq = Hex("6a 0e 30 0c a1 03 02 01 05 a2 03 02 01 0a a3 00");
        return tcp ? Hex("00000010").Concat(asReq).ToArray() : asReq;
    }

    /// <summary>An SMB2 NEGOTIATE request over direct TCP.</summary>
    public static readonly byte[] Smb2Negotiate = Hex("00 000042 fe534d42 4000 0000 00000000 0000 0000 00000000 00000000 0000000000000000 00000000 00000000 0000000000000000 00000000000000000000000000000000 0000");

    /// <summary>A DNS query for example.org (A).</summary>
    public static readonly byte[] DnsQuery = Hex("1234 0100 0001 0000 0000 0000 07 6578616d706c65 03 6f7267 00 0001 0001");

    /// <summary>The answer to <see cref="DnsQuery"/> without records.</summary>
    public static readonly byte[] DnsAnswer = Hex("1234 8180 0001 0000 0000 0000 07 6578616d706c65 03 6f7267 00 0001 0001");

    /// <summary>A NetBIOS name query (broadcast flag set) for WORKGROUP&lt;1c&gt;.</summary>
    public static readonly byte[] NetBiosNameQuery = Hex("8a1b 0110 0001 0000 0000 0000 20 4648454d46444546454e45444542434e4643454f4645464545454b4141414141 00 0020 0001");

    /// <summary>
    /// An Exchange MAPI new-mail notification datagram: an opaque binary blob (the protocol is undocumented on the wire;
    /// inspection has no label for it).
    /// </summary>
    public static readonly byte[] MapiNotification = Hex("0000 0001 7a3c 9e10 0000 0020 4d53 4d61 696c 0000 0000 0000 0000 0000");

    /// <summary>RTP packet <paramref name="sequence"/> of a G.711 stream: version 2, payload type 0, 20 ms of audio.</summary>
    public static byte[] Rtp(int sequence)
    {
        var packet = new byte[12 + 160];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)(1000 + sequence));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), (uint)(160 * sequence));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0xDEADBEEF);
        return packet;
    }

    /// <summary>The endpoint mapper conversation (bind EPM, ept_map) as the client sends it.</summary>
    public static byte[] EpmMapRequest() =>
        DceRpcPdus.Bind(RpcInterfaces.EndpointMapper, 3).Concat(DceRpcPdus.Request(EpmResponse.Map, 2, new byte[40])).ToArray();

    /// <summary>The mapper's answer naming <paramref name="iface"/> at <paramref name="server"/>:<paramref name="port"/>.</summary>
    public static byte[] EpmMapResponse(Guid iface, string server, ushort port) =>
        DceRpcPdus.Response(2, DceRpcPdus.EptMapResponse(DceRpcPdus.Tower(iface, 1, port,
            BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(server).GetAddressBytes()))));

    /// <summary>A DCE/RPC bind to <paramref name="iface"/>.</summary>
    public static byte[] RpcBind(Guid iface) => DceRpcPdus.Bind(iface, 1);
}
