using System.Buffers.Binary;
using System.Text;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Inspect.SpecExamples;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// SSH and WireGuard, the tunnels most often run through a port allowed for something else: named by content on any
/// port, so that the rule's protocol is contradicted instead of the flow passing by its port.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TunnelInspectorTests
{
    private static readonly byte[] ServerLine = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"u8.ToArray();
    private static readonly byte[] ClientLine = "SSH-2.0-PuTTY_Release_0.78\r\n"u8.ToArray();
    private static readonly byte[] KexInit = [0, 0, 1, 0x2c, 0x0a, 0x14, .. new byte[32]];

    private static (InspectResult Result, string? Detail) Ssh(params (bool FromClient, byte[] Data)[] turns) => Converse(new SshInspector(), true, 443, turns);

    [Fact]
    public void EachSidesIdentificationLineNamesItsSoftware()
    {
        Assert.Equal((InspectResult.Match, "version=2.0; client=PuTTY_Release_0.78; server=OpenSSH_9.2p1"),
            Ssh((true, [.. ClientLine, .. KexInit]), (false, ServerLine)));
        // Servers usually speak first.
        Assert.Equal((InspectResult.Match, "version=2.0; server=OpenSSH_9.2p1; client=PuTTY_Release_0.78"),
            Ssh((false, ServerLine), (true, [.. ClientLine, .. KexInit])));
        // One side alone claims the flow (a one-sided capture).
        Assert.Equal((InspectResult.Partial, "version=2.0; server=OpenSSH_9.2p1"), Ssh((false, ServerLine)));
        Assert.Equal((InspectResult.Partial, "version=2.0; client=PuTTY_Release_0.78"), Ssh((true, ClientLine)));
    }

    [Fact]
    public void TheServerMaySendOtherLinesFirstTheClientMayNot()
    {
        var banner = "Authorized use only.\r\nAll access is logged.\r\n"u8.ToArray();
        Assert.Equal((InspectResult.Partial, "version=2.0; server=OpenSSH_9.2p1"), Ssh((false, [.. banner, .. ServerLine])));
        Assert.Equal(InspectResult.NoMatch, Ssh((true, [.. banner, .. ClientLine])).Result);
        // Nine lines before it are more than a server sends; a line that is not text is no banner.
        var nine = string.Concat(Enumerable.Repeat("line\r\n", 9));
        Assert.Equal(InspectResult.NoMatch, Ssh((false, [.. Encoding.ASCII.GetBytes(nine), .. ServerLine])).Result);
        Assert.Equal(InspectResult.NoMatch, Ssh((false, [.. "bin\x01ary\r\n"u8, .. ServerLine])).Result);
    }

    [Fact]
    public void AnUnfinishedLineWaitsAndWhatIsNotALineIsNotSsh()
    {
        Assert.Equal(InspectResult.NeedMore, Ssh((true, "SSH-2.0-Open"u8.ToArray())).Result);
        Assert.Equal(InspectResult.NeedMore, Ssh((true, "SS"u8.ToArray())).Result);
        Assert.Equal(InspectResult.NoMatch, Ssh((true, "SSX-2.0-x\r\n"u8.ToArray())).Result);
        Assert.Equal(InspectResult.NoMatch, Ssh((true, "SSH-2.0-\r\n"u8.ToArray())).Result);
        Assert.Equal(InspectResult.NoMatch, Ssh((true, "SSH-x.0-OpenSSH\r\n"u8.ToArray())).Result);
        Assert.Equal(InspectResult.NoMatch, Ssh((true, "SSH--OpenSSH\r\n"u8.ToArray())).Result);
        // Longer than the 255 bytes the RFC allows the line.
        Assert.Equal(InspectResult.NoMatch, Ssh((true, [.. "SSH-2.0-"u8, .. Enumerable.Repeat((byte)'a', 300), .. "\r\n"u8])).Result);
        Assert.Equal(InspectResult.NoMatch, Ssh((true, "GET / HTTP/1.1\r\n"u8.ToArray())).Result);
        Assert.Equal(InspectResult.NoMatch, Ssh((false, [0x16, 3, 1, 0, 5])).Result);
        // SSH 1.99 (either version) and a software name with a minus sign, as Cisco's.
        Assert.Equal((InspectResult.Partial, "version=1.99; server=Cisco-1.25"), Ssh((false, "SSH-1.99-Cisco-1.25\n"u8.ToArray())));
    }

    [Fact]
    public void HostileIdentificationLinesNeverThrow()
    {
        var random = new Random(46);
        byte[] line = [.. ServerLine, .. KexInit];
        for (int round = 0; round < 2000; round++)
        {
            var mutated = line[..random.Next(1, line.Length + 1)];
            for (int flips = random.Next(0, 4); flips > 0; flips--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var (_, detail) = Ssh((round % 2 == 0, mutated));
            Assert.True(detail is null || detail.Length < 128, detail);
        }
    }

    // WireGuard's messages ([whitepaper] 5.4.2-5.4.7): type, three zero bytes, indexes little-endian, the rest opaque here.
    private static byte[] Initiation(uint sender)
    {
        var message = new byte[148];
        message[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), sender);
        new Random((int)sender).NextBytes(message.AsSpan(8));
        return message;
    }

    private static byte[] Response(uint sender, uint receiver)
    {
        var message = new byte[92];
        message[0] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), sender);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), receiver);
        new Random((int)sender).NextBytes(message.AsSpan(12));
        return message;
    }

    private static byte[] CookieReply(uint receiver)
    {
        var message = new byte[64];
        message[0] = 3;
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), receiver);
        return message;
    }

    private static byte[] Transport(uint receiver, ulong counter, int length = 80) => TunnelMessages.WireGuardTransport(receiver, counter, length);

    private static (InspectResult Result, string? Detail) WireGuard(params (bool FromClient, byte[] Data)[] turns) =>
        Converse(new WireGuardInspector(), false, 3478, turns);

    [Fact]
    public void AHandshakeIsAnInitiationAnsweredForItsIndex()
    {
        Assert.Equal((InspectResult.Match, "handshake"), WireGuard((true, Initiation(0x1234)), (false, Response(0x9999, 0x1234))));
        Assert.Equal((InspectResult.Match, "cookie-reply"), WireGuard((true, Initiation(0x1234)), (false, CookieReply(0x1234))));
        // An answer for another index, of another length, or with a reserved byte set ties nothing.
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Initiation(0x1234)), (false, Response(0x9999, 0x1235))).Result);
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Initiation(0x1234)), (false, [.. Response(0x9999, 0x1234), 0])).Result);
        var reserved = Response(0x9999, 0x1234);
        reserved[2] = 1;
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Initiation(0x1234)), (false, reserved)).Result);
        // A server that speaks first, and a client whose first datagram is no initiation, are not WireGuard.
        Assert.Equal(InspectResult.NoMatch, WireGuard((false, Response(0x9999, 0x1234))).Result);
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Initiation(0x1234)[..147])).Result);
    }

    [Fact]
    public void WithoutAnAnswerTwoInitiationsClaimTheFlowAndOneDoesNot()
    {
        Assert.Equal((InspectResult.NeedMore, null), WireGuard((true, Initiation(1))));
        Assert.Equal((InspectResult.Partial, "initiation"), WireGuard((true, Initiation(1)), (true, Initiation(2))));
        // The answer to the retry completes the handshake.
        Assert.Equal((InspectResult.Match, "handshake"), WireGuard((true, Initiation(1)), (true, Initiation(2)), (false, Response(5, 2))));
        var flow = NewFlow(tcp: false, serverPort: 3478);
        ulong scratch = 0;
        var last = new InspectionInput(flow, Initiation(1), true, false, 9, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, new WireGuardInspector().Inspect(ref last));
    }

    [Fact]
    public void TransportDataIsClaimedOnceASideRepeatsItsIndexAfterTheOtherWasHeard()
    {
        Assert.Equal((InspectResult.NeedMore, null), WireGuard((true, Transport(0xA11CE, 5)), (false, Transport(0xB0B, 9))));
        Assert.Equal((InspectResult.Match, "transport"),
            WireGuard((true, Transport(0xA11CE, 5)), (false, Transport(0xB0B, 9)), (true, Transport(0xA11CE, 6, 32))));
        Assert.Equal((InspectResult.Match, "transport"),
            WireGuard((true, Transport(0xA11CE, 5)), (false, Transport(0xB0B, 9)), (false, Transport(0xB0B, 12, 1440))));
        // A side that names another index, or whose counter stands still, goes back or leaps, is not that tunnel.
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Transport(0xA11CE, 5)), (false, Transport(0xB0B, 9)), (true, Transport(0xA11CF, 6))).Result);
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Transport(0xA11CE, 5)), (false, Transport(0xB0B, 9)), (true, Transport(0xA11CE, 5))).Result);
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Transport(0xA11CE, 5)), (false, Transport(0xB0B, 9)), (true, Transport(0xA11CE, 4))).Result);
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Transport(0xA11CE, 5)), (false, Transport(0xB0B, 9)), (true, Transport(0xA11CE, 69))).Result);
    }

    [Fact]
    public void OneSideAloneIsClaimedByAThirdMessageWithItsCounterGoingUp()
    {
        Assert.Equal((InspectResult.NeedMore, null), WireGuard((true, Transport(7, 100)), (true, Transport(7, 101))));
        Assert.Equal((InspectResult.Match, "transport"), WireGuard((true, Transport(7, 100)), (true, Transport(7, 101)), (true, Transport(7, 140))));
        // Across the counter's low byte.
        Assert.Equal((InspectResult.Match, "transport"), WireGuard((true, Transport(7, 254)), (true, Transport(7, 255)), (true, Transport(7, 257))));
    }

    [Fact]
    public void WhatOnlyLooksLikeTransportDataIsNotClaimed()
    {
        // Shorter than a keepalive, a reserved byte set, a counter no key lives to see.
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Transport(7, 1, 31))).Result);
        var reserved = Transport(7, 1);
        reserved[3] = 1;
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, reserved)).Result);
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Transport(7, 1UL << 40))).Result);
        // DCE/RPC over UDP begins with its version 4 and a request's zero type and flags: the same first four bytes, but its
        // data representation and nil object where the index and counter would be stand still from call to call.
        byte[] rpcRequest = [4, 0, 0, 0, 0x10, 0, 0, 0, .. new byte[72]];
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, rpcRequest), (true, rpcRequest), (true, rpcRequest)).Result);
        // Transport data after an initiation of the same flow is left to the handshake's rules.
        Assert.Equal(InspectResult.NoMatch, WireGuard((true, Initiation(1)), (true, Transport(7, 1))).Result);
        // At the inspection's limit a flow not yet claimed is not claimed.
        var flow = NewFlow(tcp: false, serverPort: 3478);
        ulong scratch = 0;
        var last = new InspectionInput(flow, Transport(7, 1), true, false, 9, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, new WireGuardInspector().Inspect(ref last));
    }

    [Fact]
    public void AOneSidedWireGuardFlowThroughTheFlowTableIsNamed()
    {
        var capture = new ScenarioCapture("wireguard-one-sided", 1_700_000_000)
            .Udp("10.0.0.1", "10.0.0.2", 51820, 1, Initiation(9), clientPort: 40001)
            .Udp("10.0.0.1", "10.0.0.2", 51820, 6, Initiation(10), clientPort: 40001);
        var flows = InspectTestData.Inspect(capture.Build());
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.WireGuard, "initiation"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Theory]
    [InlineData("mom"), InlineData("olap"), InlineData("sms-remote-control"), InlineData("tls"), InlineData("rtp")]
    public void ATunnelContradictsEveryRuleAlsoOneInspectionCannotOtherwiseJudge(string protocol)
    {
        Assert.False(ProtocolExpectations.Accepts(protocol, AppLabel.Ssh));
        Assert.False(ProtocolExpectations.Accepts(protocol, AppLabel.WireGuard));
        Assert.False(ProtocolExpectations.Accepts(protocol, AppLabel.PseudoTls));
        Assert.False(ProtocolExpectations.Accepts(protocol, AppLabel.Quic));
        // Other labels under a protocol inspection cannot judge stay no evidence either way; nothing found is none.
        Assert.Equal(ProtocolLabels.For(protocol) is null, ProtocolExpectations.Accepts(protocol, AppLabel.Http));
        Assert.True(ProtocolExpectations.Accepts(protocol, null));
    }

    // The Edge's external 443 allows TLS and MS-TURN over TCP, its 3478 STUN/MS-TURN from any host.
    internal const string Internet = "203.0.113.77", EdgeExternal = "172.20.0.20";

    [Fact]
    public void AtTheEdgeSshOnItsTlsPortAndWireGuardOnItsStunPortAreProtocolMismatches()
    {
        // SSH and WireGuard there are other protocols on the allowed ports, no longer passed by port.
        var (report, flows) = AuditAtTheEdge(new ScenarioCapture("tunnels-at-the-edge", 1_700_000_000)
            .TcpSession(Internet, EdgeExternal, 443, 1, [new(0.01, false, ServerLine), new(0.02, true, ClientLine), new(0.03, true, KexInit)], clientPort: 50001)
            .TcpSession(Internet, EdgeExternal, 443, 1.5, [new(0.01, true, ClientLine), new(0.02, true, KexInit)], clientPort: 50002)
            .Udp(Internet, EdgeExternal, 3478, 2, Initiation(7), Response(8, 7))
            .Udp(Internet, EdgeExternal, 3478, 3, MsTurnFrames.AllocateRequest, MsTurnFrames.AllocateResponse));
        var ssh = flows.Where(f => f.Flow.ServerPort == 443).ToDictionary(f => f.Flow.ClientPort);
        Assert.Equal((AppLabel.Ssh, "version=2.0; server=OpenSSH_9.2p1; client=PuTTY_Release_0.78", Verdict.ProtocolMismatch),
            (ssh[50001].Flow.App, ssh[50001].Flow.AppDetail?.ToString(), ssh[50001].Verdict.Verdict));
        Assert.Contains("'ssh'", ssh[50001].Verdict.Reason);
        // The client's side alone: the server's answers were not captured.
        Assert.Equal((AppLabel.Ssh, Verdict.ProtocolMismatch), (ssh[50002].Flow.App, ssh[50002].Verdict.Verdict));
        var onStunPort = flows.Where(f => f.Flow.ServerPort == 3478).ToDictionary(f => f.Flow.App?.Name ?? "none", f => f.Verdict.Verdict);
        Assert.Equal(Verdict.ProtocolMismatch, onStunPort["wireguard"]);
        Assert.Equal(Verdict.Expected, onStunPort["stun"]);
        Assert.Equal(2, report.Findings.Count(f => f.Kind == FindingKind.ProtocolMismatch && f.Ports is "443" or "3478"));
    }

    [Fact]
    public void AtTheEdgeATunnelCapturedAfterItsHandshakeIsAMismatchOnTheStunPortToo()
    {
        // A capture begun after the handshake: transport data both ways, each side naming the other's index, counting up.
        var (report, flows) = AuditAtTheEdge(new ScenarioCapture("tunnel-after-handshake", 1_700_000_000)
            .UdpExchanges(Internet, EdgeExternal, 3478, 1, 4, 0.05, i => Transport(0x5EED, 40 + (ulong)i, 96),
                sent => Transport(0xFACE, BinaryPrimitives.ReadUInt64LittleEndian(sent.AsSpan(8)) + 1000, 128)));
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.WireGuard, "transport", Verdict.ProtocolMismatch), (flow.Flow.App, flow.Flow.AppDetail?.ToString(), flow.Verdict.Verdict));
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "3478");
    }

    // The capture audited against a scenario's inventory (by default lync-edge-site's: its Edge at 172.20.0.20, its
    // reverse proxy at 172.20.0.30), written where the scenarios write theirs.
    internal static (AuditReport Report, IReadOnlyList<(Flow Flow, FlowVerdict Verdict)> Flows) AuditAtTheEdge(ScenarioCapture capture,
        string inventoryName = "lync-edge-site")
    {
        var catalog = ScenarioAudit.RepositoryCatalog;
        var inventory = InventoryLoader.Load(SharedData.InRepository($"tests/PortAudit.Tests/Scenarios/Inventories/{inventoryName}.yaml"), catalog);
        var scenario = new Scenario { Name = capture.Name, Generated = [capture], Labels = [] };
        return ScenarioAudit.WithCaptures(scenario, paths => ScenarioAudit.AuditFlows(catalog, inventory, paths, capture.Name));
    }
}
