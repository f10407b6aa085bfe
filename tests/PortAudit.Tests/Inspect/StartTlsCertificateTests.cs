using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// A mail or XMPP server's leaf certificate after its answer to STARTTLS (RFC 3207 4, RFC 6120 5.4.3.3), through the
/// engine: one that ends past the 4 KiB of the server's stream inspection looks at is read on, after the server's text,
/// and judged; one past the 16 KiB a handshake message is read to is said unread. The leaf is an RSA 1024 key
/// (<c>cert=rsa1024</c>) whose subjectAltName lists many names, as a shared mail host's does.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class StartTlsCertificateTests
{
    // TLS's content type of a handshake record, and the handshake messages the server sends.
    private const byte Handshake = 22, ServerHello = 2, Certificate = 11;
    private const string Client = "192.0.2.25", Server = "198.51.100.25";

    [Fact]
    public void A_leaf_past_the_bytes_inspected_after_starttls_is_read_on_and_judged()
    {
        var (flow, messageLength) = Smtp(names: 300);
        Assert.InRange(messageLength, 4097, TlsHandshakeLimit);
        Assert.Equal((AppLabel.Smtp, "starttls; version=tls1.2; cert=rsa1024", FlowWeakness.TlsWeakCertificate),
            (flow.App, flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void An_xmpp_servers_leaf_past_the_bytes_inspected_after_proceed_is_read_on_and_judged()
    {
        // Server to server (a federation partner on 5269): the TLS begins right after <proceed/>, on no new line.
        const string Stream = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'";
        var (flow, messageLength) = Session(5269, 300,
            (true, $"{Stream} to='partner.example'>"),
            (false, $"{Stream} from='partner.example' id='s1'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"),
            (true, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
            (false, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
        Assert.InRange(messageLength, 4097, TlsHandshakeLimit);
        Assert.Equal((AppLabel.Xmpp, "server; starttls; version=tls1.2; cert=rsa1024", FlowWeakness.TlsWeakCertificate),
            (flow.App, flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void A_leaf_past_16_KiB_after_starttls_is_said_unread()
    {
        var (flow, messageLength) = Smtp(names: 1000);
        Assert.True(messageLength > TlsHandshakeLimit, $"{messageLength}");
        Assert.Equal(("starttls; version=tls1.2; cert=unread", FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    private const int TlsHandshakeLimit = 16 * 1024;

    // An SMTP session on 25 upgraded by STARTTLS whose server presents a leaf with this many names.
    private static (Flow Flow, int MessageLength) Smtp(int names) => Session(25, names,
        (false, "220 mx.example.org ESMTP ready\r\n"),
        (true, "EHLO client.example.org\r\n"),
        (false, "250-mx.example.org\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n"),
        (true, "STARTTLS\r\n"),
        (false, "220 2.0.0 Ready to start TLS\r\n"));

    // A session on the port whose text ends with the server's go-ahead, then the client's hello and the server's hello
    // and a leaf with this many names; the flow and the length of the Certificate message's body.
    private static (Flow Flow, int MessageLength) Session(ushort port, int names, params (bool FromClient, string Text)[] text)
    {
        var certificate = DtlsServerCertificateTests.CertificateBody("CN=mx.example.org", names);
        var hello = TlsInspectorTests.ServerHelloBody("0303", "");
        byte[] serverTls = [.. Records(Message(ServerHello, hello)), .. Records(Message(Certificate, certificate))];
        var messages = text.Select((t, i) => new SessionMessage(0.01 * (i + 1), t.FromClient, Ascii(t.Text))).ToList();
        messages.Add(new(0.01 * (text.Length + 1), true, TlsInspectorTests.ClientHello("mx.example.org")));
        messages.Add(new(0.01 * (text.Length + 2), false, serverTls));
        var capture = new ScenarioCapture("starttls-certificate", 1_700_000_000).TcpSession(Client, Server, port, 1, messages);
        return (Assert.Single(InspectTestData.Inspect(capture.Build())), certificate.Length);
    }

    private static byte[] Message(byte type, byte[] body) => [type, .. DtlsServerCertificateTests.Be24(body.Length), .. body];

    // A handshake message in TLS 1.2 records of at most 2^14 bytes (RFC 5246 6.2.1).
    private static byte[] Records(byte[] message) =>
        message.Chunk(TlsHandshakeLimit).SelectMany(part => (byte[])[Handshake, 3, 3, (byte)(part.Length >> 8), (byte)part.Length, .. part]).ToArray();

    private static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);
}
