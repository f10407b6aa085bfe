using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// A DNS flow's detail names what it asked for, as Zeek's dns.log keeps it: the question's name and type (an mDNS
/// announcement's record), bounded and printable whatever the packet holds (a byte outside printable ASCII, ';' and '%'
/// percent-escaped, as every detail writes wire text), and the same name tshark reads once percent-decoded.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class DnsNameTests
{
    private static string? Detail(byte[] message, bool tcp = false)
    {
        var (result, flow) = Once(new DnsInspector(), tcp ? [(byte)(message.Length >> 8), (byte)message.Length, .. message] : message, tcp);
        Assert.Equal(InspectResult.Match, result);
        return flow.AppDetail?.ToString();
    }

    private static byte[] Message(string flags, byte[] name, string typeAndClass, string counts = "0001 0000") =>
        [.. Hex("1234 " + flags + " " + counts + " 0000 0000"), .. name, .. Hex(typeAndClass)];

    private static byte[] Name(params string[] labels) =>
        [.. labels.SelectMany(l => new[] { (byte)l.Length }.Concat(System.Text.Encoding.ASCII.GetBytes(l))), 0];

    [Fact]
    public void TheQuestionsNameAndTypeOverUdpAndTcp()
    {
        var srv = Message("0100", Name("_ldap", "_tcp", "dc", "_msdcs", "corp", "example"), "0021 0001");
        Assert.Equal("query; name=_ldap._tcp.dc._msdcs.corp.example; type=SRV", Detail(srv));
        Assert.Equal("query; name=_ldap._tcp.dc._msdcs.corp.example; type=SRV", Detail(srv, tcp: true));
        Assert.Equal("response; name=example.org; type=AAAA", Detail(Message("8180", Name("example", "org"), "001c 0001", "0001 0001")));
        // The root, a type without a mnemonic (RFC 3597), a TXT query as tunnels send them.
        Assert.Equal("query; name=.; type=NS", Detail(Message("0100", [0], "0002 0001")));
        Assert.Equal("query; name=example.org; type=TYPE65280", Detail(Message("0100", Name("example", "org"), "ff00 0001")));
        Assert.Equal("query; name=aGVsbG8gd29ybGQ.t.evil.example; type=TXT",
            Detail(Message("0100", Name("aGVsbG8gd29ybGQ", "t", "evil", "example"), "0010 0001")));
    }

    [Fact]
    public void AnAnnouncementsRecordIsNamed()
    {
        // mDNS (RFC 6762 8.3): a response with no question, its first answer record read instead.
        Assert.Equal("response; name=printer.local; type=A",
            Detail(Message("8400", Name("printer", "local"), "0001 8001 00000078 0004 c0a80105", "0000 0001")));
    }

    [Fact]
    public void AHostileNameIsBoundedAndPrintable()
    {
        // Bytes outside printable ASCII in a label, and a name of 255 bytes on the wire.
        string? detail = Detail(Message("0100", [4, (byte)'a', 0x01, 0x7f, (byte)'"', 3, .. "org"u8, 0], "0001 0001"));
        Assert.NotNull(detail);
        Assert.DoesNotContain('\x01', detail);
        Assert.DoesNotContain('\x7f', detail);
        Assert.StartsWith("query; name=a", detail);
        Assert.EndsWith(".org; type=A", detail);
        var longest = Name([.. Enumerable.Repeat(new string('x', 63), 3), new string('y', 61)]);
        Assert.Equal(255, longest.Length);
        detail = Detail(Message("0100", longest, "0001 0001"));
        Assert.Contains(new string('y', 61), detail);
        Assert.True(detail!.Length < 300, detail);
    }

    [Fact]
    public void CountsThatCannotFitTheLengthPrefixAreNoDnsOverTcp()
    {
        // base.pcap's HART-IP session 192.168.0.101:49559 -> 192.168.0.10:5094 (tshark 4.0.17: hart_ip), the client's first
        // two 13-byte messages: as DNS over TCP a 256-byte message of 13 questions, 256 answers, 117 authority and 12,289
        // additional records. The head labelled it dns "query; name=.; type=TYPE768".
        var hartIp = Hex("010000000002000d0100007530 010003000003000d0200000002");
        Assert.Equal(InspectResult.NoMatch, Once(new DnsInspector(), hartIp, tcp: true).Result);
    }

    [Fact]
    public void ACompressionPointerIsFollowedOnceAndOnlyBack()
    {
        // A question name that is only a pointer (to the header: no valid name there, read as far as it goes) must not
        // loop; one that points at itself or forward stops.
        var self = Message("0100", Hex("c00c"), "0001 0001");
        Assert.StartsWith("query; name=", Detail(self));
        var forward = Message("0100", Hex("c0ff"), "0001 0001");
        Assert.Equal("query; name=.; type=A", Detail(forward));
    }
}

/// <summary>The names DNS flows carry in their detail against tshark's reading of the same first message, on real captures.</summary>
[Trait(Tier.Name, Tier.Peer)]
public class DnsNameTsharkTests(ITestOutputHelper output)
{
    [NeedsProgramFact("tshark", shared: "captures/dns.pcap")]
    public void DnsCapture() => EachDnsFlowNamesWhatTsharkReadsInItsFirstMessage("captures/dns.pcap");

    [NeedsProgramFact("tshark", shared: "captures-extra/zeek-dns-mdns.pcap")]
    public void MdnsCapture() => EachDnsFlowNamesWhatTsharkReadsInItsFirstMessage("captures-extra/zeek-dns-mdns.pcap");

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void BaseCapture() => EachDnsFlowNamesWhatTsharkReadsInItsFirstMessage("bench/base.pcap");

    private void EachDnsFlowNamesWhatTsharkReadsInItsFirstMessage(string capture)
    {
        string path = SharedData.Path(capture)!;
        // A conversation may hold several flows (the same ports again later): the first read, as tshark reads in file order.
        var ours = InspectTestData.Inspect(path).Flows.Where(f => f.App == AppLabel.Dns).GroupBy(TsharkLabelAgreementTests.Key)
            .ToDictionary(g => g.Key, g => g.OrderBy(f => f.Id).First().AppDetail?.Find("name") is { } name ? Uri.UnescapeDataString(name) : null);
        var tshark = TsharkLabelAgreementTests.FirstValues(path, "dns || mdns || llmnr", ["dns.qry.name", "dns.resp.name"]);
        int compared = 0;
        var differ = new List<string>();
        foreach (var (key, name) in ours)
        {
            // tshark dissects DNS on its ports only. UTF-8 (mDNS, LLMNR) tshark decodes as the detail's escapes do; control
            // bytes and damage it writes as escapes of its own (\x01): not compared.
            if (!tshark.TryGetValue(key, out var values)) continue;
            string expected = values[0].Length > 0 ? values[0] : values[1];
            if (expected.Length == 0 || expected.Any(c => c is < ' ' or '\x7f' or '\\' or '\uFFFD')) continue;
            compared++;
            if (name != (expected == "<Root>" ? "." : expected)) differ.Add($"{key}: ours {name}, tshark {expected}");
        }
        output.WriteLine($"{capture}: {compared} of {ours.Count} DNS flows compared with tshark; differ: {string.Join("; ", differ)}");
        Assert.True(compared > 0);
        Assert.Empty(differ);
    }
}
