using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// A TLS server behind HAProxy with send-proxy: the connection opens with a PROXY protocol header (the v1 line or the
/// v2 binary header) naming the client the proxy accepted, then the client's ClientHello. The inspectors read what
/// follows the header, and its claimed source joins the detail, the source tshark 4.0.17's proxy dissector reads (the v2
/// ones with tcp.try_heuristic_first).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ProxyProtocolHeaderTests
{
    private const long T0 = 1_700_000_000_000_000_000;
    private static readonly IpAddr Proxy = IpAddr.FromV4(0x0A000001), Backend = IpAddr.FromV4(0x0A000002);
    private static readonly byte[] V1 = Encoding.ASCII.GetBytes("PROXY TCP4 1.2.3.4 5.6.7.8 1111 443\r\n");
    private static readonly byte[] Hello = TlsInspectorTests.ClientHello("backend.example");

    // The v2 header: signature, version 2 and the command, family and transport, then the addresses and a NOOP TLV.
    private static byte[] V2(byte command, byte family, byte[] addresses) =>
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, command, family,
         0, (byte)(addresses.Length + 7), .. addresses, 0x04, 0x00, 0x04, 0, 0, 0, 0];

    private static readonly byte[] V2Inet = V2(0x21, 0x11, [1, 2, 3, 4, 5, 6, 7, 8, 0x04, 0x57, 0x01, 0xBB]);
    private static readonly byte[] V2Inet6 = V2(0x21, 0x21,
        [.. Convert.FromHexString("20010db8000000000000000000000007"), .. Convert.FromHexString("20010db8000000000000000000000001"), 0x08, 0xAE, 0x01, 0xBB]);
    private static readonly byte[] V2Local = V2(0x20, 0x00, []);

    // A connection to the backend's 443 (handshake seen), the proxy's segments in turn; the flow's app and appDetail.
    private static (AppLabel? App, string? Detail) Connection(params byte[][] segments)
    {
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        SendTcp(table, T0, Proxy, 40001, Backend, 443, 1000, TcpFlags.Syn, []);
        SendTcp(table, T0 + 1, Backend, 443, Proxy, 40001, 9000, TcpFlags.Syn | TcpFlags.Ack, []);
        uint seq = 1001;
        long time = T0 + 2;
        foreach (var segment in segments)
        {
            SendTcp(table, time++, Proxy, 40001, Backend, 443, seq, TcpFlags.Ack | TcpFlags.Psh, segment);
            seq += (uint)segment.Length;
        }
        table.Flush();
        var flow = Assert.Single(collector.Flows);
        return (flow.App, flow.AppDetail?.ToString());
    }

    // What the ClientHello alone gives.
    private static readonly string? HelloDetail = Connection(Hello).Detail;

    [Fact]
    public void TlsAfterAVersion1LineIsTls()
    {
        // Was unlabelled: the TLS inspector saw "PROXY" where a record's type was due.
        Assert.Equal((AppLabel.Tls, HelloDetail + "; proxy-source=1.2.3.4:1111"), Connection([.. V1, .. Hello]));
        Assert.Equal((AppLabel.Tls, HelloDetail + "; proxy-source=1.2.3.4:1111"), Connection(V1, Hello));
        // A line cut into segments is awaited whole (bytes sent a few at a time are read as sent whole).
        Assert.Equal((AppLabel.Tls, HelloDetail + "; proxy-source=1.2.3.4:1111"), Connection(V1[..3], V1[3..20], [.. V1[20..], .. Hello[..10]], Hello[10..]));
        Assert.Equal((AppLabel.Tls, HelloDetail + "; proxy-source=unknown"), Connection([.. "PROXY UNKNOWN\r\n"u8, .. Hello]));
        // A line that breaks the format (a port missing) is no header, as a proxy's backend rejects it.
        Assert.Equal((null, null), Connection([.. "PROXY TCP4 1.2.3.4 5.6.7.8 1111\r\n"u8, .. Hello]));
        // Without a header nothing is added.
        Assert.DoesNotContain(ProxyProtocolHeader.DetailKey, HelloDetail);
    }

    [Fact]
    public void TlsAfterAVersion2HeaderIsTls()
    {
        Assert.Equal((AppLabel.Tls, HelloDetail + "; proxy-source=1.2.3.4:1111"), Connection([.. V2Inet, .. Hello]));
        Assert.Equal((AppLabel.Tls, HelloDetail + "; proxy-source=[2001:db8::7]:2222"), Connection(V2Inet6[..10], [.. V2Inet6[10..], .. Hello]));
        Assert.Equal((AppLabel.Tls, HelloDetail + "; proxy-source=local"), Connection([.. V2Local, .. Hello]));
    }

    [Fact]
    public void EveryPrefixOfAHeaderIsAwaitedAndOtherBytesAreNone()
    {
        // A v2 header is measured once its addresses are held: the TLVs after them are skipped as they come.
        foreach (var (header, awaited) in new[] { (V1, V1.Length), (V2Inet, 28), (V2Inet6, 52), (V2Local, 16) })
        {
            for (int length = 1; length < header.Length; length++)
                Assert.Equal(length < awaited ? 0 : header.Length, ProxyProtocolHeader.Measure(header.AsSpan(0, length)));
            Assert.Equal(header.Length, ProxyProtocolHeader.Measure([.. header, .. Hello]));
        }
        Assert.Equal(-1, ProxyProtocolHeader.Measure(Hello));
        Assert.Equal(-1, ProxyProtocolHeader.Measure("POST / HTTP/1.1\r\n"u8));
        Assert.Equal(-1, ProxyProtocolHeader.Measure("\r\n\r\nREGISTER sip:a SIP/2.0\r\n"u8));
        // A line longer than the specification's 107 bytes is none.
        Assert.Equal(-1, ProxyProtocolHeader.Measure(Encoding.ASCII.GetBytes("PROXY UNKNOWN " + new string('x', 100) + "\r\n")));
    }

    // A capture joined after the handshake, its first packet the backend's ACK: with both ports 1024 or more the ports
    // take the backend for the client. The proxy's segments and the backend's, in turn; the flow.
    private static Flow JoinedAtBackendsAck(ushort backendPort, params (bool FromProxy, byte[] Data)[] turns)
    {
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        uint proxySeq = 1001, backendSeq = 9001;
        long time = T0;
        SendTcp(table, time++, Backend, backendPort, Proxy, 40001, backendSeq, TcpFlags.Ack, []);
        foreach (var (fromProxy, data) in turns)
        {
            if (fromProxy) SendTcp(table, time++, Proxy, 40001, Backend, backendPort, proxySeq, TcpFlags.Ack | TcpFlags.Psh, data);
            else SendTcp(table, time++, Backend, backendPort, Proxy, 40001, backendSeq, TcpFlags.Ack | TcpFlags.Psh, data);
            if (fromProxy) proxySeq += (uint)data.Length; else backendSeq += (uint)data.Length;
        }
        table.Flush();
        return Assert.Single(collector.Flows);
    }

    [Fact]
    public void AHeaderOnTheSideThePortsTookForTheServerTurnsTheFlow()
    {
        // An SMTP backend on 2525: the head read "PROXY TCP4 ..." as the server's and named nothing (tshark 4.0.17 reads
        // the PROXYv1 header in either direction, -o tcp.try_heuristic_first:TRUE; ndpiReader names it SMTP).
        var smtp = JoinedAtBackendsAck(2525,
            (true, Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.7 198.51.100.1 51234 25\r\n")),
            (false, Encoding.ASCII.GetBytes("220 mail.example.org ESMTP Postfix\r\n")),
            (true, Encoding.ASCII.GetBytes("EHLO client.example\r\n")),
            (false, Encoding.ASCII.GetBytes("250-mail.example.org\r\n250 STARTTLS\r\n")),
            (true, Encoding.ASCII.GetBytes("STARTTLS\r\n")),
            (false, Encoding.ASCII.GetBytes("220 2.0.0 Ready to start TLS\r\n")));
        Assert.Equal((AppLabel.Smtp, "starttls; proxy-source=192.0.2.7:51234"), (smtp.App, smtp.AppDetail?.ToString()));
        Assert.Equal((Proxy, (ushort)40001, FlowSides.Content), (smtp.Client, smtp.ClientPort, smtp.Sides));
        // An HTTP backend on 8080: the head gave "200; request-unseen", the backend taken for the client.
        var http = JoinedAtBackendsAck(8080,
            (true, Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.7 198.51.100.1 51234 80\r\nGET / HTTP/1.1\r\nHost: a.example\r\n\r\n")),
            (false, Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
        Assert.Equal((AppLabel.Http, "GET; host=a.example; proxy-source=192.0.2.7:51234"), (http.App, http.AppDetail?.ToString()));
        Assert.Equal((Proxy, (ushort)40001), (http.Client, http.ClientPort));
    }
}
