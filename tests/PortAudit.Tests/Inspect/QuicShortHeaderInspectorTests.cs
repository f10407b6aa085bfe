using PortAudit.Audit;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Scenarios;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// QUIC seen only after its handshake: three short headers of one side under one connection ID, their first bytes
/// masked apart, and a short header from the other side; what merely shares the first byte's two bits is refused.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class QuicShortHeaderInspectorTests
{
    private static readonly byte[] ServerId = [0x8a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77];

    /// <summary>A 1-RTT packet: the first byte (form 0, fixed bit 1, masked bits), the connection ID, 60 random bytes.</summary>
    public static byte[] OneRtt(byte first, byte[] connectionId, int seed) =>
        [first, .. connectionId, .. Enumerable.Range(0, 60).Select(i => (byte)(i * 31 + seed * 17))];

    private static (bool FromClient, byte[] Data)[] Exchange(params byte[] firsts) =>
        [.. firsts.Select((b, i) => (true, OneRtt(b, ServerId, i))), (false, OneRtt(0x5c, [], 9))];

    private static InspectResult Inspect(params (bool FromClient, byte[] Data)[] turns) => Converse(new QuicShortHeaderInspector(), false, 443, turns).Result;

    [Fact]
    public void ThreeShortHeadersUnderOneConnectionIdAndAnAnswerClaimTheFlow()
    {
        var (result, detail) = Converse(new QuicShortHeaderInspector(), false, 443, Exchange(0x41, 0x57, 0x43));
        Assert.Equal((InspectResult.Match, "short-header"), (result, detail));
        // The answer first, then the client's three.
        Assert.Equal(InspectResult.Match, Inspect([.. Exchange(0x41, 0x57, 0x43).Reverse()]));
    }

    [Fact]
    public void WhatOnlySharesTheFirstBytesBitsIsRefused()
    {
        // One first byte throughout (TURN ChannelData's channel number, OpenVPN's P_DATA_V2 opcode): never claimed.
        Assert.Equal(InspectResult.NeedMore, Inspect(Exchange(0x40, 0x40, 0x40)));
        // The connection ID changing under the same first bits.
        Assert.Equal(InspectResult.NoMatch, Inspect((true, OneRtt(0x41, ServerId, 0)), (true, OneRtt(0x57, [.. ServerId.Reverse()], 1))));
        // A long header, RTP's version bits, a datagram too short for an ID and a tag.
        Assert.Equal(InspectResult.NoMatch, Inspect((true, OneRtt(0xC3, ServerId, 0))));
        Assert.Equal(InspectResult.NoMatch, Inspect((true, OneRtt(0x80, ServerId, 0))));
        Assert.Equal(InspectResult.NoMatch, Inspect((true, OneRtt(0x41, ServerId, 0)[..20])));
        // Three good ones but no answer: the other side was never heard.
        Assert.Equal(InspectResult.NeedMore, Inspect([.. Exchange(0x41, 0x57, 0x43)[..3]]));
    }

    [Fact]
    public void AtTheEdgeQuicCapturedAfterItsHandshakeIsAMismatchOnTheStunPort()
    {
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("quic-after-handshake", 1_700_000_000)
            .UdpExchanges(TunnelInspectorTests.Internet, TunnelInspectorTests.EdgeExternal, 3478, 1, 4, 1.0,
                i => OneRtt((byte)(0x40 | i * 7 % 32), ServerId, i), _ => OneRtt(0x5c, [], 9)));
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.Quic, "short-header", Verdict.ProtocolMismatch), (flow.Flow.App, flow.Flow.AppDetail?.ToString(), flow.Verdict.Verdict));
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "3478");
    }
}

/// <summary>tshark as the oracle: base.pcap's QUIC cut to its 1-RTT packets, and the short-header claims of the whole capture.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class QuicShortHeaderTsharkTests(ITestOutputHelper output)
{
    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void QuicCutToItsOneRttPacketsIsStillQuic()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        using var dir = new TempDirectory();
        string cut = dir.File("one-rtt.pcap");
        // tshark reads each connection's handshake first, then keeps only its short-header packets.
        External.Run("tshark", "-r", path, "-Y", "quic.header_form == 0 && !(quic.header_form == 1)", "-F", "pcap", "-w", cut);
        var conversations = TsharkLabelAgreementTests.Tshark(cut, "udp");
        var quic = InspectTestData.Inspect(cut).Flows.Where(f => f.App == AppLabel.Quic).ToList();
        output.WriteLine($"{quic.Count} of {conversations.Count} QUIC connections cut to their 1-RTT packets are named");
        Assert.True(quic.Count >= 8, $"{quic.Count} of {conversations.Count}");
        Assert.All(quic, f => Assert.Contains(TsharkLabelAgreementTests.Key(f), conversations));
    }

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void InTheWholeCaptureOnlyWebFlowsBegunMidConnectionAreClaimed()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        var claimed = InspectTestData.Inspect(path).Flows.Where(f => f.AppDetail?.ToString() == "short-header").ToList();
        // tshark's dissectors name no protocol in them (no handshake to read): datagrams to UDP 443 and nothing else.
        var named = TsharkLabelAgreementTests.Tshark(path, "udp.port == 443 && !quic && !dns && !dtls && !stun && !wg && !gquic");
        Assert.Equal(3, claimed.Count);
        Assert.All(claimed, f => Assert.Equal((ushort)443, f.ServerPort));
        Assert.All(claimed, f => Assert.Contains(TsharkLabelAgreementTests.Key(f), named));
    }
}
