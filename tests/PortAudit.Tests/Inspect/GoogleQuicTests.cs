using System.Buffers.Binary;
using System.Text;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// QUIC's versions beyond RFC 9000's and the last drafts: Google's before Q050, whose client hello travels in clear
/// (<see cref="GoogleQuicHello"/>), its Q050 and T05x and mvfst's, opened with their own salts, and drafts 23 to 34.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class GoogleQuicTests
{
    private const string Sni = "www.example.org";

    /// <summary>QUIC crypto's client hello: an SNI tag and a VER tag, each value after the table.</summary>
    public static byte[] Chlo(string sni = Sni, int? tagCount = null, uint? sniEnd = null)
    {
        byte[] name = Encoding.ASCII.GetBytes(sni);
        var message = new List<byte>();
        message.AddRange("CHLO"u8.ToArray());
        message.AddRange(LittleEndian16(tagCount ?? 2));
        message.AddRange([0, 0]);
        message.AddRange("SNI\0"u8.ToArray());
        message.AddRange(LittleEndian32(sniEnd ?? (uint)name.Length));
        message.AddRange("VER\0"u8.ToArray());
        message.AddRange(LittleEndian32((uint)name.Length + 4));
        message.AddRange(name);
        message.AddRange("Q043"u8.ToArray());
        return [.. message];
    }

    /// <summary>
    /// The client's first packet of gQUIC <paramref name="version"/> (24 to 46): the public header (Q046: its long header),
    /// a hash, a STREAM frame on stream 1 with <paramref name="stream"/>, padded to 1,350 bytes as Chrome sent it.
    /// </summary>
    public static byte[] ClientHello(int version, byte[]? stream = null, int size = 1350)
    {
        stream ??= Chlo();
        byte[] tag = Encoding.ASCII.GetBytes($"Q{version:D3}");
        byte[] connectionId = [1, 2, 3, 4, 5, 6, 7, 8];
        byte[] header = version == 46
            ? [0xC3, .. tag, 0x50, .. connectionId, 0, 0, 0, 1]
            : [0x09, .. connectionId, .. tag, 1];
        byte[] privateFlags = version < 34 ? [0] : [];
        byte[] length = version < 39 ? LittleEndian16(stream.Length) : [(byte)(stream.Length >> 8), (byte)stream.Length];
        byte[] packet = [.. header, .. new byte[12], .. privateFlags, 0xA0, 1, .. length, .. stream];
        return [.. packet, .. new byte[Math.Max(0, size - packet.Length)]];
    }

    private static byte[] LittleEndian16(int value) => [(byte)value, (byte)(value >> 8)];

    private static byte[] LittleEndian32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    [Theory]
    [InlineData(25)]
    [InlineData(33)]
    [InlineData(35)]
    [InlineData(43)]
    [InlineData(46)]
    public void AClearHelloOfEachHeaderNamesItsServer(int version)
    {
        var flow = QuicInspectorTests.FromClient(ClientHello(version));
        Assert.Equal((AppLabel.Quic, $"sni={Sni}; version=gquic-Q{version:D3}"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AHelloWithoutAServerNameIsNamedByItsVersion()
    {
        var flow = QuicInspectorTests.FromClient(ClientHello(43, Chlo(tagCount: 4000)));
        Assert.Equal((AppLabel.Quic, "version=gquic-Q043"), (flow.App, flow.AppDetail?.ToString()));
        // An SNI value said to end past the message: no name read.
        Assert.Equal("version=gquic-Q043", QuicInspectorTests.FromClient(ClientHello(43, Chlo(sniEnd: 5000))).AppDetail?.ToString());
    }

    [Fact]
    public void AHostileServerNameIsBoundedAndPrintable()
    {
        var flow = QuicInspectorTests.FromClient(ClientHello(43, Chlo(new string('a', 400) + "\u0001\u007f")));
        string detail = flow.AppDetail?.ToString() ?? "";
        Assert.Equal(AppLabel.Quic, flow.App);
        Assert.DoesNotContain('\u0001', detail);
        Assert.True(detail.Length < 300, detail);
    }

    [Fact]
    public void WhatOnlyLooksLikeAClearHelloIsNotClaimed()
    {
        // No CHLO in the frame, a datagram short of 1,200 bytes, the frame on another stream, a reset's flags.
        Assert.Null(QuicInspectorTests.FromClient(ClientHello(43, "SHLO\0\0\0\0"u8.ToArray())).App);
        Assert.Null(QuicInspectorTests.FromClient(ClientHello(43, size: 1199)[..1199]).App);
        var otherStream = ClientHello(43);
        otherStream[1 + 8 + 4 + 1 + 12 + 1] = 3;
        Assert.Null(QuicInspectorTests.FromClient(otherStream).App);
        var reset = ClientHello(43);
        reset[0] |= 0x02;
        Assert.Null(QuicInspectorTests.FromClient(reset).App);
        // Q046's tag in a public header, Q043's in a long header: each version has one header.
        var q046InPublicHeader = ClientHello(43);
        "Q046"u8.CopyTo(q046InPublicHeader.AsSpan(9));
        Assert.Null(QuicInspectorTests.FromClient(q046InPublicHeader).App);
    }

    [Theory]
    [InlineData(0xff000017u, "draft-23")]
    [InlineData(0xff00001cu, "draft-28")]
    [InlineData(0xff000022u, "draft-34")]
    [InlineData(0xfaceb001u, "mvfst-faceb001")]
    [InlineData(0xfaceb00eu, "mvfst-faceb00e")]
    [InlineData(0x54303531u, "gquic-T051")]
    public void EachVersionWithASaltOfItsOwnNamesItsTlsHello(uint version, string word)
    {
        var flow = QuicInspectorTests.FromClient(QuicPackets.ClientInitial(QuicInspectorTests.Hello, version));
        Assert.Equal((AppLabel.Quic, $"sni=paste.example.net; alpn=h2,http/1.1; version={word}"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void Q050sInitialCarriesAChloInItsOwnCryptoFrame()
    {
        byte[] chlo = Chlo();
        byte[] frame = [0x08, .. QuicPackets.Varint(0), .. QuicPackets.Varint(chlo.Length), .. chlo];
        var flow = QuicInspectorTests.FromClient(QuicPackets.Initial(frame, 0x51303530));
        Assert.Equal((AppLabel.Quic, $"sni={Sni}; version=gquic-Q050"), (flow.App, flow.AppDetail?.ToString()));
        // The same frame in a version-1 Initial is a STREAM frame, which no Initial carries: no hello read.
        Assert.Equal("hello-unread; version=quic1", QuicInspectorTests.FromClient(QuicPackets.Initial(frame)).AppDetail?.ToString());
    }

    [Fact]
    public void A0RttPacketCapturedBeforeTheInitialLeavesItToBeRead()
    {
        // 0-RTT (type 1) packets of version 1 before the Initial, as a capture reordered them (base.pcap holds such a flow).
        byte[] zeroRtt = [0xD0, 0, 0, 0, 1, 8, .. QuicPackets.ExampleDestination, 4, .. QuicPackets.ClientSource, 0x40, 40, .. new byte[40]];
        var flow = QuicInspectorTests.FromClient(zeroRtt, zeroRtt, QuicPackets.ClientInitial(QuicInspectorTests.Hello));
        Assert.Equal((AppLabel.Quic, "sni=paste.example.net; alpn=h2,http/1.1; version=quic1"), (flow.App, flow.AppDetail?.ToString()));
    }
}

/// <summary>tshark as the oracle for every QUIC version of the bench capture: the label, the version and the server name.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class QuicVersionTsharkTests(ITestOutputHelper output)
{
    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void EachClientHelloOfTheBenchCaptureIsNamedAsTsharkReadsIt()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        // The first client Initial (a datagram of 1,200 bytes at least) or clear CHLO of each conversation.
        var tshark = TsharkLabelAgreementTests.FirstValues(path, "(quic.long.packet_type == 0 && udp.length >= 1208) || gquic.tag == \"CHLO\"",
            ["quic.version", "gquic.version", "tls.handshake.extensions_server_name", "gquic.tag.sni"]);
        var ours = InspectTestData.Inspect(path).Flows.GroupBy(TsharkLabelAgreementTests.Key).ToDictionary(g => g.Key, g => g.First());
        var failures = new List<string>();
        foreach (var (conversation, values) in tshark)
        {
            string version = VersionWord(values[0], values[1]);
            string sni = values[2].Length > 0 ? values[2] : values[3];
            string expected = (sni.Length > 0 ? $"sni={sni}; " : "") + $"version={version}";
            var flow = ours.GetValueOrDefault(conversation);
            string detail = flow?.AppDetail?.ToString() ?? "";
            // ALPN stands between the name and the version in a TLS hello's detail.
            bool agrees = flow?.App == AppLabel.Quic && detail.EndsWith($"version={version}", StringComparison.Ordinal)
                && (sni.Length == 0 ? !detail.Contains("sni=") : detail.StartsWith($"sni={sni};", StringComparison.Ordinal));
            if (!agrees) failures.Add($"{conversation}: tshark {expected}, ours {flow?.App?.Name} {detail}");
        }
        output.WriteLine($"{tshark.Count - failures.Count} of {tshark.Count} QUIC conversations agree with tshark");
        Assert.True(tshark.Count >= 40, $"only {tshark.Count} QUIC conversations in base.pcap");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // tshark's version field as our detail's word: quic1, draft-29, mvfst-faceb001, gquic-Q043, gquic-T051.
    private static string VersionWord(string quic, string gquic)
    {
        if (gquic.Length > 0) return $"gquic-{gquic}";
        uint version = Convert.ToUInt32(quic, 16);
        return version switch
        {
            1 => "quic1",
            0x6b3343cf => "quic2",
            _ when version >> 8 == 0xff0000 => $"draft-{version & 0xff}",
            _ when version >> 12 == 0xfaceb => $"mvfst-{version:x8}",
            _ => "gquic-" + Encoding.ASCII.GetString([(byte)(version >> 24), (byte)(version >> 16), (byte)(version >> 8), (byte)version]),
        };
    }
}
