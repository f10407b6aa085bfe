using System.Net;
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
/// Teredo: IPv6 tunnelled in UDP, claimed by a whole IPv6 packet whose end is a Teredo address, or by the qualification's
/// router solicitation and advertisement; a mismatch wherever a rule allows the port for something else.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TeredoInspectorTests
{
    // base.pcap's client, whose Teredo address names the server 194.136.28.76 (c288:1c4c).
    private const string Client = "2001:0:c288:1c4c:20f3:359b:46f9:3f46", Relay = "2002:c288:1c4c::c288:1c4c";

    /// <summary>An IPv6 packet from <paramref name="source"/> to <paramref name="destination"/> carrying <paramref name="payload"/>.</summary>
    /// <remarks>
    /// Its bytes as given, not <see cref="Builders.Packets.Ipv6"/>'s: PacketDotNet's checksum pass writes a router
    /// solicitation's 8 bytes out as 12, past the payload length, and a Teredo packet must end where that length says.
    /// </remarks>
    private static byte[] Ipv6(string source, string destination, byte nextHeader, byte[] payload) =>
    [
        0x60, 0, 0, 0, (byte)(payload.Length >> 8), (byte)payload.Length, nextHeader, 255,
        .. IPAddress.Parse(source).GetAddressBytes(), .. IPAddress.Parse(destination).GetAddressBytes(), .. payload,
    ];

    // An authentication indicator with no client identifier or value, as a client's router solicitation carries it.
    private static readonly byte[] Authentication = [0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0];
    // An origin indication: port 51812 and 10.112.16.67, each bit inverted.
    private static readonly byte[] Origin = [0, 0, 0x35, 0x9b, 0xf5, 0x8f, 0xef, 0xbc];
    private static readonly byte[] Solicitation = [133, 0, 0x12, 0x34, 0, 0, 0, 0];
    private static readonly byte[] Advertisement = [134, 0, 0x56, 0x78, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] EchoRequest = [128, 0, 0x9a, 0xbc, 0, 1, 0, 1, .. Ascii("abcdefgh")];

    private static byte[] Qualifying() => [.. Authentication, .. Ipv6("fe80::ffff:ffff:fffe", "ff02::2", 58, Solicitation)];

    private static (InspectResult Result, string? Detail) Udp(params (bool FromClient, byte[] Data)[] turns) =>
        Converse(new TeredoInspector(), false, 3544, turns);

    [Fact]
    public void ThePacketOfATeredoAddressClaimsTheFlowAndNamesTheAddressAndItsServer()
    {
        var echo = Ipv6(Client, Relay, 58, EchoRequest);
        Assert.Equal((InspectResult.Match, $"address={Client}; server=194.136.28.76"), Udp((true, echo)));
        // Either end: the relay's answer to the client, behind the origin indication the server adds.
        Assert.Equal(InspectResult.Match, Udp((false, [.. Origin, .. Ipv6(Relay, Client, 58, EchoRequest)])).Result);
        // A bubble: no payload, no next header (RFC 4380 2.8).
        Assert.Equal(InspectResult.Match, Udp((true, Ipv6(Client, "2001:0:c288:1c4c:0:f227:3d77:e3b3", 59, []))).Result);
    }

    [Fact]
    public void TheQualificationsRouterSolicitationAndAdvertisementClaimTheFlow()
    {
        Assert.Equal((InspectResult.Match, "qualification"), Udp((true, Qualifying())));
        byte[] advertisement = [.. Authentication, .. Origin, .. Ipv6("fe80::8000:f227:3d77:e3b3", "fe80::ffff:ffff:fffe", 58, Advertisement)];
        Assert.Equal((InspectResult.Match, "qualification"), Udp((false, advertisement)));
        // A client identifier and an authentication value between the lengths and the nonce.
        byte[] identified = [0, 1, 2, 3, 0xaa, 0xbb, 1, 2, 3, .. Authentication[4..], .. Ipv6("fe80::ffff:ffff:fffe", "ff02::2", 58, Solicitation)];
        Assert.Equal(InspectResult.Match, Udp((true, identified)).Result);
    }

    [Fact]
    public void APacketThatIsNoWholeTeredoPacketIsNotClaimed()
    {
        var echo = Ipv6(Client, Relay, 58, EchoRequest);
        // A byte more or less than the IPv6 header's payload length says.
        Assert.Equal(InspectResult.NoMatch, Udp((true, [.. echo, 0])).Result);
        Assert.Equal(InspectResult.NoMatch, Udp((true, echo[..^1])).Result);
        // Version 4 where IPv6's 6 is.
        Assert.Equal(InspectResult.NoMatch, Udp((true, [0x40, .. echo[1..]])).Result);
        // A whole IPv6 packet between addresses no Teredo client has (documentation prefix).
        Assert.Equal(InspectResult.NoMatch, Udp((true, Ipv6("2001:db8::1", "2001:db8::2", 58, EchoRequest))).Result);
        // A router solicitation without the authentication indicator a client's qualification sends, or not from a
        // link-local address.
        Assert.Equal(InspectResult.NoMatch, Udp((true, Ipv6("fe80::ffff:ffff:fffe", "ff02::2", 58, Solicitation))).Result);
        Assert.Equal(InspectResult.NoMatch, Udp((true, [.. Authentication, .. Ipv6("2001:db8::1", "ff02::2", 58, Solicitation)])).Result);
        // An authentication indicator or origin indication cut short, a datagram shorter than an IPv6 header.
        Assert.Equal(InspectResult.NoMatch, Udp((true, Authentication[..10])).Result);
        Assert.Equal(InspectResult.NoMatch, Udp((true, Origin[..5])).Result);
        Assert.Equal(InspectResult.NoMatch, Udp((true, echo[..39])).Result);
        // Never over TCP.
        Assert.Equal(InspectResult.NoMatch, Converse(new TeredoInspector(), true, 3544, (true, echo)).Result);
    }

    // The indicators' lengths and the IPv6 payload length are read from the datagram: damaged ones, cut or lengthened
    // anywhere, are refused or claimed without reading past it.
    [Fact]
    public void DamagedTeredoDatagramsNeverReadPastTheirEnd()
    {
        var random = new Random(4380);
        byte[][] valid =
        [
            Qualifying(), [.. Origin, .. Ipv6(Relay, Client, 58, EchoRequest)], Ipv6(Client, Relay, 58, EchoRequest),
            [0, 1, 2, 3, 0xaa, 0xbb, 1, 2, 3, .. Authentication[4..], .. Ipv6("fe80::ffff:ffff:fffe", "ff02::2", 58, Solicitation)],
        ];
        int claimed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var datagram = valid[i % valid.Length].ToList();
            for (int flips = random.Next(1, 4); flips > 0; flips--) datagram[random.Next(datagram.Count)] = (byte)random.Next(256);
            if (random.Next(2) == 0)
            {
                int at = random.Next(datagram.Count);
                datagram.RemoveRange(at, random.Next(datagram.Count - at + 1));
            }
            var result = Udp((random.Next(2) == 0, datagram.ToArray())).Result;
            Assert.True(result is InspectResult.Match or InspectResult.NoMatch, $"{result} on {Convert.ToHexString(datagram.ToArray())}");
            if (result == InspectResult.Match) claimed++;
        }
        // Most damage lands in the addresses, checksums and payload, which no rule reads: many stay Teredo.
        Assert.InRange(claimed, 1, 19_999);
    }

    [Fact]
    public void TeredoOnTheEdgesStunPortIsAMismatch()
    {
        // IPv6 tunnelled through the A/V Edge's UDP 3478, which the documents open for STUN and TURN.
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("teredo-at-the-edge", 1_700_000_000)
            .Udp(TunnelInspectorTests.Internet, TunnelInspectorTests.EdgeExternal, 3478, 1,
                Ipv6(Client, Relay, 58, EchoRequest), Ipv6(Relay, Client, 58, EchoRequest)));
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.Teredo, Verdict.ProtocolMismatch), (flow.Flow.App, flow.Verdict.Verdict));
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "3478");
    }
}

/// <summary>tshark and nDPI as the oracles for Teredo on the bench capture.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class TeredoPeerTests(ITestOutputHelper output)
{
    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void OurTeredoFlowsAreTsharksTeredoConversations()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        var tshark = TsharkLabelAgreementTests.Tshark(path, "teredo");
        var ours = InspectTestData.Inspect(path).Flows.Where(f => f.App == AppLabel.Teredo).Select(TsharkLabelAgreementTests.Key).ToHashSet();
        output.WriteLine($"{ours.Count} Teredo flows of ours, {tshark.Count} Teredo conversations of tshark");
        Assert.Equal(5, ours.Count);
        Assert.Equal(tshark.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
    }

    [NeedsProgramFact("ndpiReader", shared: "bench/base.pcap", package: "libndpi-bin")]
    public void EachTeredoFlowOfNdpiIsOurs()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        var ndpi = NdpiFlow.Run(path, "Teredo");
        var flows = InspectTestData.Inspect(path).Flows;
        Assert.Equal(5, ndpi.Count);
        Assert.All(ndpi, n => Assert.Equal(AppLabel.Teredo, NdpiAgreementTests.Find(flows, n)?.App));
    }
}
