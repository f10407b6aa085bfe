using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class TextProtocolInspectorTests
{
    [Theory]
    [InlineData("INVITE sip:bob@example.org SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n\r\n", false, "INVITE")]
    [InlineData("SIP/2.0 200 OK\r\n\r\n", false, "200")]
    [InlineData("\r\n\r\nREGISTER sip:example.org SIP/2.0\r\n", true, "REGISTER")]
    [InlineData("INVITE sip:bob@example.org SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nFrom: \"Alice\" <sip:alice@example.org>;tag=9\r\n\r\n", false, "INVITE; from=\"Alice\" <sip:alice@example.org>%3Btag=9")]
    [InlineData("INVITE sip:bob@example.org SIP/2.0\r\nf: <sip:alice@example.org>\r\n\r\n", false, "INVITE; from=<sip:alice@example.org>")]
    [InlineData("SIP/2.0 200 OK\r\nFrom: <sip:alice@example.org>\r\n\r\n", false, "200")]
    public void SipRequestAndStatusLines(string text, bool tcp, string detail)
    {
        var (result, flow) = Once(new SipInspector(), Ascii(text), tcp);
        Assert.Equal(InspectResult.Match, result);
        Assert.Equal(detail, flow.AppDetail?.ToString());
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("hello")]
    [InlineData("INVITE sip:bob@example.org HTTP/1.1\r\n")]
    public void SipRejectsOtherText(string text)
    {
        // A datagram says nothing of the next: the direction's last inspected one decides (SipDatagramRetryTests).
        ulong scratch = 0;
        var last = new InspectionInput(NewFlow(tcp: false), Ascii(text), true, false, 9, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, new SipInspector().Inspect(ref last));
    }

    [Fact]
    public void HttpRequestGivesMethodAndHost()
    {
        var (result, flow) = Once(new HttpInspector(), Ascii("GET /index.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n"), tcp: true);
        Assert.Equal(InspectResult.Match, result);
        Assert.Equal("GET; host=www.example.org", flow.AppDetail?.ToString());
    }

    [Fact]
    public void HttpWaitsForALineAndRejectsSip()
    {
        Assert.Equal(InspectResult.NeedMore, Once(new HttpInspector(), Ascii("GET /lo"), tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new HttpInspector(), Ascii("OPTIONS sip:a SIP/2.0\r\n"), tcp: true).Result);
        // A status line with no request before it claims the flow and awaits the request that may follow (HttpResponseFirstTests).
        Assert.Equal(InspectResult.Partial, Once(new HttpInspector(), Ascii("HTTP/1.0 404 Not Found\r\n"), tcp: true).Result);
    }

    [Fact]
    public void SmtpGreetingThenStartTls()
    {
        var smtp = new MailInspector(MailDialect.Smtp);
        var flow = NewFlow(true);
        Assert.Equal(InspectResult.Partial, Run(smtp, flow, true, false, Ascii("220 mx.example.org ESMTP ready\r\n")));
        ulong scratch = 1;
        var client = new InspectionInput(flow, Ascii("EHLO me\r\nSTARTTLS\r\n"), true, true, 1, ref scratch);
        // The server's reply and its TLS hello are still to come.
        Assert.Equal(InspectResult.Partial, smtp.Inspect(ref client));
        Assert.Equal("starttls", flow.AppDetail?.ToString());
    }

    [Theory]
    // RFC 3207 4: after "220 Ready to start TLS" the server's side is TLS; the version its hello chose is judged as on a
    // TLS port. A reply that refuses TLS, then more text, leaves the claim as it was.
    [InlineData("0301", "starttls; version=tls1.0", true)]
    [InlineData("0303", "starttls; version=tls1.2", false)]
    public void AnSmtpServersTlsHelloAfterStartTlsGivesTheVersionItChose(string version, string detail, bool weak)
    {
        var smtp = new MailInspector(MailDialect.Smtp);
        var flow = NewFlow(true);
        var serverHello = Hex("16 0301 002a 02 000026").Concat(Hex(version)).Concat(new byte[32]).Concat(Hex("00 c02f 00")).ToArray();
        var greeting = Ascii("220 mx.example.org ESMTP ready\r\n250-mx.example.org\r\n250 STARTTLS\r\n");
        var ready = greeting.Concat(Ascii("220 2.0.0 Ready to start TLS\r\n")).ToArray();
        // Partial: the server's certificate, after its hello, is still to come.
        Assert.Equal(InspectResult.Partial, Conversation(smtp, flow, true, (false, greeting[..32]), (true, Ascii("EHLO me\r\n")),
            (false, greeting), (true, Ascii("EHLO me\r\nSTARTTLS\r\n")), (false, ready), (false, [.. ready, .. serverHello[..20]]),
            (false, [.. ready, .. serverHello])));
        Assert.Equal((detail, weak ? FlowWeakness.TlsDeprecated : FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void A_refused_starttls_leaves_the_claim_as_it_was()
    {
        var smtp = new MailInspector(MailDialect.Smtp);
        var flow = NewFlow(true);
        Assert.Equal(InspectResult.Partial, Conversation(smtp, flow, true, (false, Ascii("220 mx.example.org ESMTP ready\r\n")),
            (true, Ascii("EHLO me\r\nSTARTTLS\r\n")), (false, Ascii("220 mx.example.org ESMTP ready\r\n454 4.7.0 TLS not available\r\n"))));
        Assert.Equal(("starttls", FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void ABare220GreetingIsNotEnoughForSmtp()
    {
        var smtp = new MailInspector(MailDialect.Smtp);
        Assert.Equal(InspectResult.NeedMore, Once(smtp, Ascii("220 ProFTPD Server ready\r\n"), tcp: true, fromClient: false).Result);
        Assert.Equal(InspectResult.NoMatch, Once(smtp, Ascii("USER anonymous\r\n"), tcp: true).Result);
    }

    [Theory]
    [InlineData("pop3", "+OK POP3 ready\r\n", "CAPA\r\nSTLS\r\n")]
    [InlineData("imap", "* OK IMAP4rev1 ready\r\n", "a001 CAPABILITY\r\na002 STARTTLS\r\n")]
    [InlineData("nntp", "200 news.example.org NNTP ready\r\n", "CAPABILITIES\r\nSTARTTLS\r\n")]
    public void MailDialectsSeeTheirStartTls(string name, string greeting, string commands)
    {
        var dialect = new[] { MailDialect.Pop3, MailDialect.Imap, MailDialect.Nntp }.Single(d => d.Label.Name == name);
        var inspector = new MailInspector(dialect);
        Assert.Equal(InspectResult.Partial, Once(inspector, Ascii(greeting), tcp: true, fromClient: false).Result);
        var flow = NewFlow(tcp: true);
        Assert.Equal(InspectResult.Partial, Conversation(inspector, flow, true, (false, Ascii(greeting)), (true, Ascii(commands))));
        Assert.Equal("starttls", flow.AppDetail?.ToString());
    }

    [Fact]
    public void AnImapGreetingLongerThan512BytesIsAwaitedToItsEnd()
    {
        // An IMAP greeting's CAPABILITY list has no length bound (RFC 9051 4 sets none): one of 1304 bytes in 536-byte
        // segments, then "a1 STARTTLS" and TLS, was unlabelled, its first segment, no line end in it, turned down as no
        // greeting. tshark reads the greeting, the STARTTLS and the ClientHello after it.
        var greeting = Ascii("* OK [CAPABILITY IMAP4rev1 " + string.Join(' ', Enumerable.Range(0, 140).Select(i => $"X-CAP{i:D3}")) + " STARTTLS] ready\r\n");
        var imap = new MailInspector(MailDialect.Imap);
        var flow = NewFlow(tcp: true);
        Assert.Equal(InspectResult.Partial, Conversation(imap, flow, true,
            (false, greeting[..536]), (false, greeting[..1072]), (false, greeting), (true, Ascii("a1 STARTTLS\r\n"))));
        Assert.Equal("starttls", flow.AppDetail?.ToString());
        // Bounded still: at the inspection's limits a line with no end is none.
        ulong scratch = 0;
        var last = new InspectionInput(NewFlow(tcp: true), greeting[..536], false, true, 0, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, imap.Inspect(ref last));
        // SMTP, POP3 and NNTP bound a reply line at 512 octets (RFC 5321 4.5.3.1.5, RFC 1939 3, RFC 3977 3.1): longer text
        // with no line end is no greeting of theirs.
        var banner = Ascii("220 " + new string('x', 600));
        Assert.Equal(InspectResult.NoMatch, Once(new MailInspector(MailDialect.Smtp), banner, tcp: true, fromClient: false).Result);
    }

    [Fact]
    public void AClientCommandAloneNeverClaimsAFlowAndAnotherServersGreetingRulesItOut()
    {
        var pop3 = new MailInspector(MailDialect.Pop3);
        // USER is a POP3 command and an FTP one: without the server's +OK it waits.
        Assert.Equal(InspectResult.NeedMore, Once(pop3, Ascii("USER anonymous\r\n"), tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Conversation(pop3, NewFlow(tcp: true), true,
            (false, Ascii("220 ProFTPD 1.3.0 Server\r\n")), (true, Ascii("USER anonymous\r\n"))));
        var ftp = new MailInspector(MailDialect.Ftp);
        // FTP's claim is final: its follower reads the rest of the control connection.
        Assert.Equal(InspectResult.Match, Conversation(ftp, NewFlow(tcp: true), true,
            (false, Ascii("220 mail.example.org\r\n")), (true, Ascii("USER anonymous\r\n"))));
        Assert.Equal(InspectResult.NoMatch, Conversation(ftp, NewFlow(tcp: true), true,
            (false, Ascii("220 mail.example.org\r\n")), (true, Ascii("EHLO client.example.org\r\n"))));
    }

    [Fact]
    public void XmppStreamHeaderAndStartTls()
    {
        var xmpp = new XmppInspector();
        var header = "<?xml version='1.0'?><stream:stream to='example.org' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
        var (result, flow) = Once(xmpp, Ascii(header), tcp: true);
        Assert.Equal(InspectResult.Partial, result);
        Assert.Equal("client", flow.AppDetail?.ToString());
        // The server's proceed and TLS hello are still to come.
        Assert.Equal(InspectResult.Partial, Run(xmpp, flow, true, true, Ascii(header), Ascii(header + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")));
        Assert.Equal("client; starttls", flow.AppDetail?.ToString());
        Assert.Equal(InspectResult.NoMatch, Once(xmpp, Ascii("<html><body>"), tcp: true).Result);
    }

    [Theory]
    // RFC 6120 5.4.3.3: after <proceed/> the server's side is TLS from the next byte; the version its hello chose is
    // judged as on a TLS port. A <failure/> ends the reading with nothing more said.
    [InlineData("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", "0301", "client; starttls; version=tls1.0", FlowWeakness.TlsDeprecated)]
    [InlineData("<proceed xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></proceed>", "0303", "client; starttls; version=tls1.2", FlowWeakness.None)]
    [InlineData("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>", "", "client; starttls", FlowWeakness.None)]
    public void AnXmppServersTlsHelloAfterProceedGivesTheVersionItChose(string answer, string version, string detail, FlowWeakness weakness)
    {
        var header = "<?xml version='1.0'?><stream:stream to='example.org' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
        var features = "<?xml version='1.0'?><stream:stream from='example.org' id='x1' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
            + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>";
        byte[] serverHello = version.Length == 0 ? [] : [.. Hex("16 0301 002a 02 000026"), .. Hex(version), .. new byte[32], .. Hex("00 c02f 00")];
        var flow = NewFlow(true);
        var result = Conversation(new XmppInspector(), flow, true, (true, Ascii(header)), (false, Ascii(features)),
            (true, Ascii(header + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")), (false, [.. Ascii(features + answer), .. serverHello]));
        // After a hello the certificate is awaited; after a failure nothing is.
        Assert.Equal((version.Length == 0 ? InspectResult.Match : InspectResult.Partial, detail, weakness), (result, flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void XmppMidstreamStreamEnd()
    {
        // jabber.pcap's 172.16.0.62:57126 -> 172.16.1.138:5222 was joined at its end: the client's only bytes are the
        // stream's closing tag (RFC 6120 4.4), which tshark reads as XMPP "STREAM END" and nDPI names Jabber. Was unlabelled.
        var (result, flow) = Once(new XmppInspector(), Ascii("</stream:stream>"), tcp: true);
        Assert.Equal((InspectResult.Match, "stream-end"), (result, flow.AppDetail?.ToString()));
        Assert.Equal(InspectResult.NeedMore, Once(new XmppInspector(), Ascii("</stream:st"), tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new XmppInspector(), Ascii("</streams>"), tcp: true).Result);
    }

    [Fact]
    public void XmppStreamHeaderCutIntoSegmentsIsReadWhole()
    {
        // A server-to-server stream header in 100-byte segments: its jabber:server namespace comes after the first. Was
        // "client", read from the first segment alone; tshark reassembles the header and reads xmlns jabber:server.
        var header = Ascii("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:server' "
            + "xmlns:db='jabber:server:dialback' to='partner.example' from='lync.example' version='1.0'>");
        var flow = NewFlow(tcp: true, 5269);
        Assert.Equal(InspectResult.Partial, Run(new XmppInspector(), flow, true, true, header[..100], header));
        Assert.Equal("server", flow.AppDetail?.ToString());
        // At the inspection's limits the header is read as far as it came.
        ulong scratch = 0;
        var cut = new InspectionInput(flow = NewFlow(tcp: true, 5269), header[..100], true, true, 0, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.Partial, new XmppInspector().Inspect(ref cut));
        Assert.Equal("client", flow.AppDetail?.ToString());
    }
}
