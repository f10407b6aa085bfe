using System.Buffers.Binary;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class TlsInspectorTests
{
    /// <summary>A ClientHello record with SNI, ALPN and supported_versions (TLS 1.3 and 1.2, plus GREASE).</summary>
    public static byte[] ClientHello(string sni, bool dtls = false)
    {
        var ext = new List<byte>();
        void Ext(ushort type, byte[] value)
        {
            ext.AddRange(BE16(type));
            ext.AddRange(BE16((ushort)value.Length));
            ext.AddRange(value);
        }
        var name = Ascii(sni);
        Ext(0, BE16((ushort)(name.Length + 3)).Concat(new byte[] { 0 }).Concat(BE16((ushort)name.Length)).Concat(name).ToArray());
        Ext(16, Hex("000c 02 6832 08 687474702f312e31"));
        Ext(43, Hex("06 0a0a 0304 0303"));
        var body = new List<byte>();
        body.AddRange(dtls ? new byte[] { 0xFE, 0xFD } : new byte[] { 3, 3 });
        body.AddRange(new byte[32]);
        body.Add(0);
        if (dtls) body.Add(0);
        body.AddRange(Hex("0002 1301 01 00"));
        body.AddRange(BE16((ushort)ext.Count));
        body.AddRange(ext);
        if (dtls)
        {
            var handshake = new List<byte> { 1, 0, (byte)(body.Count >> 8), (byte)body.Count, 0, 0, 0, 0, 0, 0, (byte)(body.Count >> 8), (byte)body.Count };
            handshake.AddRange(body);
            return Hex("16 fefd 0000 000000000000").Concat(BE16((ushort)handshake.Count)).Concat(handshake).ToArray();
        }
        var hs = new List<byte> { 1, 0, (byte)(body.Count >> 8), (byte)body.Count };
        hs.AddRange(body);
        return new byte[] { 22, 3, 1 }.Concat(BE16((ushort)hs.Count)).Concat(hs).ToArray();
    }

    private static byte[] BE16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        return b;
    }

    [Fact]
    public void ClientHelloGivesSniAlpnAndOfferedVersion()
    {
        var (result, flow) = Once(new TlsInspector(), ClientHello("example.org"), tcp: true);
        Assert.Equal(InspectResult.Partial, result);
        Assert.Equal("sni=example.org; alpn=h2,http/1.1; version=tls1.3", flow.AppDetail?.ToString());
    }

    [Fact]
    public void ServerHelloSettlesTheVersion()
    {
        var flow = NewFlow(true);
        ulong scratch = 0;
        var client = new InspectionInput(flow, ClientHello("a.example"), true, true, 0, ref scratch);
        var inspector = new TlsInspector();
        Assert.Equal(InspectResult.Partial, inspector.Inspect(ref client));
        var serverHello = Hex("16 0303 002a 02 000026 0303").Concat(new byte[32]).Concat(Hex("00 c02f 00")).ToArray();
        var server = new InspectionInput(flow, serverHello, false, true, 0, ref scratch);
        // Partial: the server's certificate, after its hello, is still to come.
        Assert.Equal(InspectResult.Partial, inspector.Inspect(ref server));
        Assert.Equal("sni=a.example; alpn=h2,http/1.1; version=tls1.2", flow.AppDetail?.ToString());
    }

    [Theory]
    // The server's one choice (RFC 7301 3.1) follows the version; without one the detail is as before.
    [InlineData("0010 0005 0003 02 6832", "sni=a.example; alpn=h2,http/1.1; version=tls1.2; alpn-selected=h2")]
    [InlineData("0010 000b 0009 08 687474702f312e31", "sni=a.example; alpn=h2,http/1.1; version=tls1.2; alpn-selected=http/1.1")]
    [InlineData("ff01 0001 00", "sni=a.example; alpn=h2,http/1.1; version=tls1.2")]
    // Wire text: a byte no id has is escaped, as in the client's list.
    [InlineData("0010 0006 0004 03 683b32", "sni=a.example; alpn=h2,http/1.1; version=tls1.2; alpn-selected=h%3B2")]
    public void ServerHelloGivesTheAlpnProtocolTheServerSelected(string extensions, string detail)
    {
        var flow = ServerHelloOf(ServerHelloBody("0303", extensions));
        Assert.Equal(detail, flow.AppDetail?.ToString());
    }

    [Theory]
    // The server's choice, not the client's offer (a TLS 1.2 client hello here): SSL 3.0, TLS 1.0 and 1.1 are retired.
    [InlineData("0300", "", "ssl3", true)]
    [InlineData("0301", "", "tls1.0", true)]
    [InlineData("0302", "", "tls1.1", true)]
    [InlineData("0303", "", "tls1.2", false)]
    // TLS 1.3 names itself in supported_versions behind a legacy 1.2 (RFC 8446 4.2.1).
    [InlineData("0303", "002b 0002 0304", "tls1.3", false)]
    public void AServerChoosingARetiredVersionMarksTheFlowWeak(string version, string extensions, string name, bool weak)
    {
        var flow = ServerHelloOf(ServerHelloBody(version, extensions));
        Assert.Equal(name, flow.AppDetail?.Find(DetailKeys.Version));
        Assert.Equal(weak ? FlowWeakness.TlsDeprecated : FlowWeakness.None, flow.Weakness);
    }

    [Theory]
    // The suite after the session id: RC4 (RFC 7465), 3DES, no encryption, anonymous; ECDHE with AES-GCM and TLS 1.3's are not weak.
    [InlineData("0005",
        "sni=a.example; alpn=h2,http/1.1; version=tls1.2; cipher=TLS_RSA_WITH_RC4_128_SHA", true)]
    [InlineData("000a", "sni=a.example; alpn=h2,http/1.1; version=tls1.2; cipher=TLS_RSA_WITH_3DES_EDE_CBC_SHA", true)]
    [InlineData("0000", "sni=a.example; alpn=h2,http/1.1; version=tls1.2; cipher=TLS_NULL_WITH_NULL_NULL", true)]
    [InlineData("c018", "sni=a.example; alpn=h2,http/1.1; version=tls1.2; cipher=TLS_ECDH_anon_WITH_AES_128_CBC_SHA", true)]
    [InlineData("c02f", "sni=a.example; alpn=h2,http/1.1; version=tls1.2", false)]
    [InlineData("1301", "sni=a.example; alpn=h2,http/1.1; version=tls1.2", false)]
    public void AServerChoosingAWeakCipherSuiteMarksTheFlowWeakAndNamesTheSuite(string suite, string detail, bool weak)
    {
        var flow = ServerHelloOf(ServerHelloBody("0303", "", suite));
        Assert.Equal((detail, weak ? FlowWeakness.TlsWeakCipher : FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void AServerHelloCutBeforeItsCipherSuiteNamesNone()
    {
        // Version, random and session id length, then the message ends: suite 0 would be TLS_NULL_WITH_NULL_NULL.
        var flow = ServerHelloOf(Hex("0303").Concat(new byte[32]).Concat(Hex("00")).ToArray());
        Assert.Equal(("sni=a.example; alpn=h2,http/1.1; version=tls1.2", FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void TheLeafCertificateAfterTheServerHelloIsJudgedOnceItsFirstEntryIsHere()
    {
        using var key = System.Security.Cryptography.RSA.Create(1024);
        var leaf = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=fe01", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100)).RawData;
        // Certificate: certificate_list's length, then one entry, its length and DER bytes; the hello and it in one record.
        var entry = BE24(leaf.Length).Concat(leaf).ToArray();
        var certificate = new byte[] { 11 }.Concat(BE24(entry.Length + 3)).Concat(BE24(entry.Length)).Concat(entry).ToArray();
        var body = ServerHelloBody("0303", "");
        var hello = new byte[] { 2, 0 }.Concat(BE16((ushort)body.Length)).Concat(body).ToArray();
        const string Detail = "sni=a.example; alpn=h2,http/1.1; version=tls1.2; cert=rsa1024";

        // The hello and the certificate in one record.
        var (flow, scratch) = ClientHelloFlow();
        Assert.Equal(InspectResult.Match, Show(scratch, flow, Record(22, [.. hello, .. certificate])));
        Assert.Equal((Detail, FlowWeakness.TlsWeakCertificate), (flow.AppDetail?.ToString(), flow.Weakness));

        // In two, the second cut by the segment's end: awaited; the next segment brings the rest.
        var (later, laterScratch) = ClientHelloFlow();
        byte[] stream = [.. Record(22, hello), .. Record(22, certificate)];
        Assert.Equal(InspectResult.Partial, Show(laterScratch, later, stream[..^100]));
        Assert.Equal(FlowWeakness.None, later.Weakness);
        Assert.Equal(InspectResult.Match, Show(laterScratch, later, stream));
        Assert.Equal((Detail, FlowWeakness.TlsWeakCertificate), (later.AppDetail?.ToString(), later.Weakness));

        // Cut at the last look (the bytes inspected spent, or the flow ended): the leaf went unjudged, and the detail says
        // so; no weakness is claimed of what was not read.
        var (cut, cutScratch) = ClientHelloFlow();
        Assert.Equal(InspectResult.Match, Show(cutScratch, cut, stream[..^100], atLimit: true));
        Assert.Equal(("sni=a.example; alpn=h2,http/1.1; version=tls1.2; cert=unread", FlowWeakness.None), (cut.AppDetail?.ToString(), cut.Weakness));
        // Cut before the entry's length: the same.
        var (early, earlyScratch) = ClientHelloFlow();
        Assert.Equal(InspectResult.Match, Show(earlyScratch, early, stream[..(Record(22, hello).Length + 5 + 6)], atLimit: true));
        Assert.Equal("unread", early.AppDetail?.Find(DetailKeys.Certificate));

        // A resumed session: ChangeCipherSpec after the hello, no certificate to wait for.
        var (resumed, resumedScratch) = ClientHelloFlow();
        Assert.Equal(InspectResult.Match, Show(resumedScratch, resumed, [.. Record(22, hello), .. Record(20, [1])]));
        Assert.Equal(FlowWeakness.None, resumed.Weakness);
    }

    private static byte[] BE24(int v) => [(byte)(v >> 16), (byte)(v >> 8), (byte)v];

    private static byte[] Record(byte type, byte[] fragment) => [type, 3, 3, .. BE16((ushort)fragment.Length), .. fragment];

    // A flow whose client sent its hello, and the inspector's scratch word for it, kept between calls as the engine keeps it.
    private static (Flow Flow, ulong[] Scratch) ClientHelloFlow()
    {
        var flow = NewFlow(true);
        var scratch = new ulong[1];
        var client = new InspectionInput(flow, ClientHello("a.example"), true, true, 0, ref scratch[0]);
        new TlsInspector().Inspect(ref client);
        Assert.Equal(FlowWeakness.None, flow.Weakness);
        return (flow, scratch);
    }

    // The server's stream so far, shown from its start as the engine shows it.
    private static InspectResult Show(ulong[] scratch, Flow flow, byte[] serverStream, bool atLimit = false)
    {
        var server = new InspectionInput(flow, serverStream, false, true, 0, ref scratch[0], atLimit);
        return new TlsInspector().Inspect(ref server);
    }

    // A flow whose client sent a hello for a.example and whose server answered with a ServerHello of body alone: up to TLS
    // 1.2 its certificate is awaited (Partial), TLS 1.3 encrypts it (Match).
    private static Flow ServerHelloOf(byte[] body)
    {
        var (flow, scratch) = ClientHelloFlow();
        var message = new byte[] { 2, 0 }.Concat(BE16((ushort)body.Length)).Concat(body).ToArray();
        var result = Show(scratch, flow, Hex("16 0303").Concat(BE16((ushort)message.Length)).Concat(message).ToArray());
        Assert.Equal(flow.AppDetail?.Find(DetailKeys.Version) == "tls1.3" ? InspectResult.Match : InspectResult.Partial, result);
        return flow;
    }

    /// <summary>
    /// A ServerHello body of <paramref name="version"/> (hex), no session id, cipher suite <paramref name="suite"/> (hex),
    /// with <paramref name="extensions"/> (hex).
    /// </summary>
    internal static byte[] ServerHelloBody(string version, string extensions, string suite = "c02f")
    {
        var ext = Hex(extensions);
        return Hex(version).Concat(new byte[32]).Concat(Hex($"00 {suite} 00")).Concat(BE16((ushort)ext.Length)).Concat(ext).ToArray();
    }

    [Theory]
    // DTLS reads the server's choice as TLS does: the same hello, in a DTLS record and handshake header.
    [InlineData("0010 0005 0003 02 6832", "sni=media.example; alpn=h2,http/1.1; version=dtls1.2; alpn-selected=h2")]
    [InlineData("0010 0008 0006 05 7369702f32", "sni=media.example; alpn=h2,http/1.1; version=dtls1.2; alpn-selected=sip/2")]
    [InlineData("ff01 0001 00", "sni=media.example; alpn=h2,http/1.1; version=dtls1.2")]
    public void DtlsServerHelloGivesTheAlpnProtocolTheServerSelected(string extensions, string detail)
    {
        var body = ServerHelloBody("fefd", extensions);
        byte[] length = [0, .. BE16((ushort)body.Length)];
        var serverHello = DtlsHelloFragmentsTests.Record([2, .. length, 0, 0, 0, 0, 0, .. length, .. body]);
        var (result, said) = Converse(new DtlsInspector(), tcp: false, 5061, (true, ClientHello("media.example", dtls: true)), (false, serverHello));
        // Up to DTLS 1.2 the server's certificate follows its hello: awaited.
        Assert.Equal((InspectResult.Partial, detail), (result, said));
    }

    [Theory]
    [InlineData("h2", "http", "HTTP/2")]
    [InlineData("http/1.1", "http", "HTTP/1.1")]
    [InlineData("imap", "imap", "IMAP")]
    [InlineData("smb", "smb", "SMB2")]
    [InlineData("tds/8.0", "tds", "TDS 8.0")]
    [InlineData("xmpp-server", "xmpp", "XMPP server-to-server")]
    [InlineData("dot", "dns", "DNS over TLS")]
    [InlineData("stun.turn", "stun", "TURN")]
    // Not in the registry, of no labelled application, a check rather than an application, or not as registered (ids are bytes).
    [InlineData("ldap", null, null)]
    [InlineData("mqtt", null, null)]
    [InlineData("acme-tls/1", null, null)]
    [InlineData("H2", null, null)]
    [InlineData("", null, null)]
    public void AnAlpnIdNamesTheApplicationInspectionLabels(string id, string? label, string? name)
    {
        bool known = AlpnProtocols.TryGetApplication(id, out var app, out var words);
        Assert.Equal((label is not null, label, name), (known, known ? app.Name : null, known ? words : null));
    }

    [Fact]
    public void TheSelectedAlpnIdIsReadFromTheDetailWithoutTheClientsOffer()
    {
        Assert.Equal("h2", AlpnProtocols.Selected(AppDetail.Parse("alpn=h2,http/1.1; version=tls1.2; alpn-selected=h2")).ToString());
        Assert.Equal("", AlpnProtocols.Selected(AppDetail.Parse("alpn=h2,http/1.1; version=tls1.3")).ToString());
        Assert.Equal("", AlpnProtocols.Selected(null).ToString());
    }

    [Fact]
    public void APartialRecordWaitsAndPlainTextIsRejected()
    {
        Assert.Equal(InspectResult.NeedMore, Once(new TlsInspector(), ClientHello("x.example")[..40], tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new TlsInspector(), Ascii("GET / HTTP/1.1\r\n\r\n"), tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new TlsInspector(), ClientHello("x.example"), tcp: false).Result);
    }

    [Fact]
    public void DtlsClientHelloIsReadWithItsCookie()
    {
        var (result, flow) = Once(new DtlsInspector(), ClientHello("media.example", dtls: true), tcp: false);
        Assert.Equal(InspectResult.Partial, result);
        Assert.StartsWith("sni=media.example; alpn=h2,http/1.1; version=", flow.AppDetail?.ToString());
        Assert.Equal(InspectResult.NoMatch, Once(new DtlsInspector(), ClientHello("x"), tcp: false).Result);
    }
}
