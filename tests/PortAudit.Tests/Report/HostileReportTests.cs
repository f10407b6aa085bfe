using PortAudit.Catalog;
using PortAudit.Report.Plot;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Catalog;
using PortAudit.Tests.Inspect;
using PortAudit.Tests.Report.Plot;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Report;

/// <summary>
/// report.html of a capture and an inventory that carry markup: the TLS SNI and the HTTP Host header (both of which
/// inspection copies into appDetail, and the report into the findings' evidence), a SIP From header and an LDAP
/// filter (which no inspector extracts today, so they must not appear at all), a host name and a segment name.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
public sealed class HostileReportTests : IDisposable
{
    private const string Script = "<script>alert(1)</script>";
    private const string Img = "\"><img src=x onerror=document.title='pwned'>";
    private const string Svg = "</title><svg onload=document.title='pwned'>";
    private const string Quote = "'><script>document.title='pwned'</script>";
    private const string SipFrom = "<script>document.title='sip-pwned'</script>";
    private const string LdapFilter = "<img src=y onerror=document.title='ldap-pwned'>";

    private const string Rules = """
        product: demo
        sourceFile: doc.txt
        rules:
          - id: demo-ldap
            from: client
            to: server
            transport: tcp
            ports: 389
            protocol: ldap
            every: 0.01s
            source:
              section: Ports
              row: "389 TCP LDAP <b>directory</b>"
        """;

    private static readonly string Inventory = $"""
        hosts:
          - name: '{Svg.Replace("'", "''")}'
            addresses: [10.0.0.1]
            roles: [client]
          - name: srv
            addresses: [10.0.0.2]
            roles: [server]
        segments:
          - name: '{Quote.Replace("'", "''")}'
            cidrs: [172.16.0.0/24]
        """;

    private readonly TempCatalog _catalog = new(Rules);
    private readonly ReportAudit _audit;

    public HostileReportTests()
    {
        string capture = Path.Combine(_catalog.Root, "hostile.pcap");
        File.WriteAllBytes(capture, Capture());
        string inventory = Path.Combine(_catalog.Root, "inventory.yaml");
        File.WriteAllText(inventory, Inventory);
        // No minimum span, and a rule made every 10 ms: the few packets here must still show the catalog's rows in missing findings.
        _audit = new ReportAudit(capture, inventory, _catalog.Dir, exitCode: 1, extra: "--min-span 0");
    }

    public void Dispose()
    {
        _audit.Dispose();
        _catalog.Dispose();
    }

    private static byte[] Capture()
    {
        var builder = new PcapBuilder();
        double time = 1;
        void Tcp(string client, ushort clientPort, ushort serverPort, byte[] request)
        {
            builder.Add(Ethernet(Ipv4(client, "10.0.0.2", 6, Packets.Tcp(clientPort, serverPort, Syn, seq: 100))), time += 0.1);
            builder.Add(Ethernet(Ipv4("10.0.0.2", client, 6, Packets.Tcp(serverPort, clientPort, Syn | Ack, seq: 500, ack: 101))), time += 0.01);
            builder.Add(Ethernet(Ipv4(client, "10.0.0.2", 6, Packets.Tcp(clientPort, serverPort, Ack | Psh, seq: 101, ack: 501, data: request))), time += 0.01);
            builder.Add(Ethernet(Ipv4("10.0.0.2", client, 6, Packets.Tcp(serverPort, clientPort, Ack, seq: 501, ack: (uint)(101 + request.Length)))), time += 0.01);
        }
        Tcp("10.0.0.1", 50001, 443, TlsInspectorTests.ClientHello(Script));
        Tcp("10.0.0.1", 50002, 8443, TlsInspectorTests.ClientHello(Img));
        Tcp("172.16.0.9", 50003, 80, InspectorHarness.Ascii($"GET / HTTP/1.1\r\nHost: {Img}\r\n\r\n"));
        // From the unnamed segment: an unmapped finding quotes the flow; an expected one would not.
        Tcp("172.16.0.9", 50004, 389, LdapSearch(LdapFilter));
        var invite = InspectorHarness.Ascii($"INVITE sip:bob@srv SIP/2.0\r\nFrom: \"{SipFrom}\" <sip:alice@ws>;tag=1\r\nTo: <sip:bob@srv>\r\n\r\n");
        builder.Add(Ethernet(Ipv4("172.16.0.9", "10.0.0.2", 17, Udp(5060, 5060, invite))), time += 0.1);
        return builder.Build();
    }

    /// <summary>An LDAP searchRequest whose base DN and equality filter value are <paramref name="value"/>.</summary>
    private static byte[] LdapSearch(string value)
    {
        byte[] Tlv(byte tag, params byte[][] parts)
        {
            var body = parts.SelectMany(p => p).ToArray();
            return [tag, (byte)body.Length, .. body];
        }
        byte[] Text(byte tag, string text) => Tlv(tag, InspectorHarness.Ascii(text));
        var filter = Tlv(0xA3, Text(0x04, "cn"), Text(0x04, value));
        var search = Tlv(0x63, Text(0x04, value), [0x0A, 1, 2], [0x0A, 1, 0], [0x02, 1, 0], [0x02, 1, 0], [0x01, 1, 0], filter, Tlv(0x30));
        return Tlv(0x30, [0x02, 1, 1], search);
    }

    [Fact]
    public void Every_hostile_string_that_reaches_the_page_is_escaped()
    {
        string html = _audit.Html;

        Assert.Contains("sni=" + MarkupEscaper.Text(Script), html);
        Assert.Contains("sni=" + MarkupEscaper.Text(Img), html);
        Assert.Contains("host=" + MarkupEscaper.Text(Img), html);
        Assert.Contains(MarkupEscaper.Text(Svg), html);
        Assert.Contains(MarkupEscaper.Text("(unmapped:" + Quote + ")"), html);
        Assert.Contains(MarkupEscaper.Text("389 TCP LDAP <b>directory</b>"), html);
        Assert.Contains("ldap (searchRequest; dn=" + MarkupEscaper.Text(LdapFilter), html);
        Assert.Contains("from=" + MarkupEscaper.Text("\"" + SipFrom + "\""), html);
        foreach (string raw in new[] { Script, Img, Svg, Quote, SipFrom, LdapFilter, "<b>directory" })
            Assert.DoesNotContain(raw, html);
        Assert.Equal(1, PageStructure.Count(html, "script"));
        Assert.Equal(0, PageStructure.Count(html, "img"));
    }

    [ChromiumFact]
    public void Nothing_runs_in_a_browser_and_the_text_shows_literally()
    {
        string dom = HeadlessChromium.DumpDom(_audit.HtmlPath, _audit.Root);

        Assert.Contains("data-script=\"ready\"", dom);
        Assert.Equal("PortAudit report: hostile.pcap", PageStructure.Title(dom));
        Assert.DoesNotContain("pwned", PageStructure.Title(dom));
        Assert.Equal(1, PageStructure.Count(dom, "script"));
        Assert.Equal(0, PageStructure.Count(dom, "img"));
        // Serialised text nodes escape < > & again: finding them so proves the browser read them as text.
        Assert.Contains("sni=" + Serialised(Script), dom);
        Assert.Contains("host=" + Serialised(Img), dom);
        Assert.Contains(Serialised(Svg), dom);
        Assert.Contains("from=" + Serialised("\"" + SipFrom + "\""), dom);
        Assert.Contains("dn=" + Serialised(LdapFilter), dom);
        Assert.Equal(PageStructure.Count(_audit.Html, "svg"), PageStructure.Count(dom, "svg"));
    }

    /// <summary>A text node as Chromium's DOM serialiser writes it: only &amp;, &lt;, &gt; (and no-break space) escaped.</summary>
    private static string Serialised(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
