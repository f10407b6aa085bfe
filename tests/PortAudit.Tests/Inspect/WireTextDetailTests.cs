using System.Text;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Builders.Packets;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Wire text in appDetail (a SIP From header, a TFTP file name, an mDNS name, an ALPN list...) comes out whole, as
/// tshark reads the same bytes once percent-decoded: commas kept, <c>;</c>, <c>%</c> and bytes outside printable ASCII
/// escaped. They were written <c>.</c>, so <c>"Smith, John" &lt;sip:...&gt;;tag=9f2</c> read
/// <c>"Smith. John" &lt;sip:...&gt;.tag=9f2</c> and UTF-8 names lost their letters.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class WireTextDetailTests
{
    // tshark 4.0's sip.From, tftp.source_file and dns.qry.name on the captures below (WireTextDetailTsharkTests).
    internal const string From = "\"Smith, John\" <sip:john@example.org>;tag=9f2";
    internal const string File = "backups/sw1,2026;v2%.cfg";
    internal const string MdnsName = "Bob\u2019s iPhone._device-info._tcp.local";

    internal static byte[] SipCapture() => PcapBuilder.Spaced(Ethernet(Ip("192.0.2.10", "192.0.2.20", 17, Udp(5060, 5060, Encoding.ASCII.GetBytes(
        "INVITE sip:bob@example.org SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\nFrom: " + From
        + "\r\nTo: <sip:bob@example.org>\r\nCall-ID: 1@192.0.2.10\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")))));

    internal static byte[] TftpCapture() => PcapBuilder.Spaced(Ethernet(Ip("192.0.2.11", "192.0.2.21", 17, Udp(49152, 69,
        [0, 1, .. Encoding.ASCII.GetBytes(File), 0, .. "octet"u8, 0]))));

    internal static byte[] MdnsCapture()
    {
        var name = MdnsName.Split('.').SelectMany(label => Encoding.UTF8.GetBytes(label) is var bytes ? [(byte)bytes.Length, .. bytes] : Array.Empty<byte>());
        byte[] query = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, .. name, 0, 0, 0x10, 0, 1];
        return PcapBuilder.Spaced(Ethernet(Ip("192.0.2.12", "224.0.0.251", 17, Udp(5353, 5353, query))));
    }

    private static string Detail(byte[] capture) => Assert.Single(InspectTestData.Inspect(capture)).AppDetail!.ToString();

    private static string Decoded(string detail, string key) =>
        Uri.UnescapeDataString(Assert.Single(detail.Split("; "), p => p.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..]);

    [Fact]
    public void ASipFromHeaderKeepsItsDisplayNamesCommaAndItsTag()
    {
        string detail = Detail(SipCapture());
        Assert.Equal("INVITE; from=\"Smith, John\" <sip:john@example.org>%3Btag=9f2", detail);
        Assert.Equal(From, Decoded(detail, "from"));
    }

    [Fact]
    public void ATftpFileNameReadsBackWhole()
    {
        string detail = Detail(TftpCapture());
        Assert.Equal("rrq; mode=octet; file=backups/sw1,2026%3Bv2%25.cfg", detail);
        Assert.Equal(File, Decoded(detail, "file"));
    }

    [Fact]
    public void AnMdnsNameInUtf8ReadsBackWhole()
    {
        string detail = Detail(MdnsCapture());
        Assert.Equal("query; name=Bob%E2%80%99s iPhone._device-info._tcp.local; type=TXT", detail);
        Assert.Equal(MdnsName, Decoded(detail, "name"));
    }

    [Fact]
    public void AnAlpnEntrysCommaIsEscapedSinceCommasSeparateTheEntries()
    {
        // ALPN ids are opaque bytes (RFC 7301 3.1): "a,b", "h2" and "h3;q" must not read as four protocols. The hello's
        // list (h2, http/1.1: 12 bytes) is rewritten in place with one of the same length.
        var patched = TlsInspectorTests.ClientHello("example.org");
        int at = patched.AsSpan().IndexOf("\x02h2\x08http/1.1"u8);
        byte[] alpn = [3, .. "a,b"u8, 2, .. "h2"u8, 4, .. "h3;q"u8];
        alpn.CopyTo(patched.AsSpan(at));
        var (result, flow) = Once(new TlsInspector(), patched, tcp: true);
        Assert.Equal(InspectResult.Partial, result);
        Assert.Equal("a%2Cb,h2,h3%3Bq", flow.AppDetail!.Find("alpn"));
    }

    [Theory]
    [InlineData("SSH-2.0-Acme;SSH,1\r\n", "version=2.0; client=Acme%3BSSH,1")]
    public void SshSoftwareIsEscapedNotDotted(string line, string expected)
    {
        var (_, flow) = Once(new SshInspector(), Encoding.ASCII.GetBytes(line), tcp: true);
        Assert.Equal(expected, flow.AppDetail?.ToString());
    }

    [Fact]
    public void EscapedStringsBoundWithoutCuttingAnEscape()
    {
        Assert.Equal("ab", PortAudit.Common.AsciiText.Escaped("ab;c"u8, 4));
        Assert.Equal("ab%3B", PortAudit.Common.AsciiText.Escaped("ab;c"u8, 5));
        Assert.Equal("a,b%25", PortAudit.Common.AsciiText.Escaped("a,b%"u8, 64));
    }
}

/// <summary>The same captures through tshark: its field and the appDetail part, percent-decoded, are the same text.</summary>
[Trait(Tier.Name, Tier.Peer)]
public class WireTextDetailTsharkTests
{
    [NeedsProgramFact("tshark")]
    public void SipFromIsTsharksSipFrom() => Agree(WireTextDetailTests.SipCapture(), "sip.From", "from", WireTextDetailTests.From);

    [NeedsProgramFact("tshark")]
    public void TftpFileIsTsharksSourceFile() => Agree(WireTextDetailTests.TftpCapture(), "tftp.source_file", "file", WireTextDetailTests.File);

    [NeedsProgramFact("tshark")]
    public void MdnsNameIsTsharksQueryName() => Agree(WireTextDetailTests.MdnsCapture(), "dns.qry.name", "name", WireTextDetailTests.MdnsName);

    private static void Agree(byte[] capture, string field, string key, string expected)
    {
        var (tshark, ours) = TsharkServerNames.ReadValues(capture, field, key);
        Assert.Equal([expected], tshark);
        Assert.Equal(tshark, ours);
    }
}
