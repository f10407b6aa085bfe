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
/// DNSCrypt: encrypted DNS claimed by the resolver's magic answering a query whose nonce it repeats, over UDP and over
/// TCP's length-prefixed messages, and a mismatch wherever a rule allows the port for something else.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class DnsCryptInspectorTests
{
    private static readonly byte[] Nonce = [0x0a, 0x50, 0x50, 0x7d, 0x66, 0xaf, 0xa7, 0xbc, 0x38, 1, 2, 3];

    /// <summary>A client's query: its certificate's magic, its public key, its nonce, a sealed question padded to 576 bytes.</summary>
    public static byte[] Query(byte[]? nonce = null) =>
        [.. Hex("e3c3eac4701b47d5"), .. Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 1)), .. nonce ?? Nonce, .. new byte[576 - 52]];

    /// <summary>The resolver's answer: the magic, the client's nonce and its own, a sealed answer.</summary>
    public static byte[] Answer(byte[]? nonce = null, string magic = "r6fnvWj8") =>
        [.. Ascii(magic), .. nonce ?? Nonce, .. Enumerable.Repeat((byte)0x5e, 12), .. new byte[200]];

    private static byte[] Framed(byte[] message) => [(byte)(message.Length >> 8), (byte)message.Length, .. message];

    private static InspectResult Udp(params (bool FromClient, byte[] Data)[] turns) => Converse(new DnsCryptInspector(), false, 443, turns).Result;

    [Fact]
    public void TheResolversMagicRepeatingTheQuerysNonceClaimsTheFlow()
    {
        Assert.Equal(InspectResult.NeedMore, Udp((true, Query())));
        Assert.Equal(InspectResult.Match, Udp((true, Query()), (false, Answer())));
        // Over TCP each message follows its length; the answer's first segment may stop inside the magic.
        var tcp = Converse(new DnsCryptInspector(), true, 443, (true, Framed(Query())), (false, Framed(Answer())[..6]), (false, Framed(Answer())));
        Assert.Equal((InspectResult.Match, null), tcp);
    }

    [Fact]
    public void AnAnswerWithoutTheMagicOrTheNonceIsNoDnsCrypt()
    {
        Assert.Equal(InspectResult.NoMatch, Udp((true, Query()), (false, Answer(magic: "r6fnvWj9"))));
        Assert.Equal(InspectResult.NoMatch, Udp((true, Query()), (false, Answer(nonce: [.. Nonce.Select(b => (byte)~b)]))));
        // The magic in a datagram too short for a nonce and a tag.
        Assert.Equal(InspectResult.NoMatch, Udp((true, Query()), (false, Answer()[..40])));
        // A query whose length no padding gives, or under 256 bytes over UDP, is turned away at once.
        Assert.Equal(InspectResult.NoMatch, Udp((true, Query()[..575])));
        Assert.Equal(InspectResult.NoMatch, Udp((true, Query()[..192])));
        Assert.Equal(InspectResult.NeedMore, Udp((true, Query()[..(68 + 5 * 64)])));
        // A query too short for a key and a nonce is turned away at once.
        Assert.Equal(InspectResult.NoMatch, Udp((true, Query()[..60])));
        // Over TCP, a length too short for a query, or an answer's first byte off the magic, decides before the rest comes.
        Assert.Equal(InspectResult.NoMatch, Converse(new DnsCryptInspector(), true, 443, (true, [0, 40])).Result);
        Assert.Equal(InspectResult.NoMatch, Converse(new DnsCryptInspector(), true, 443, (true, Framed(Query())), (false, [1, 0, (byte)'H'])).Result);
        // A query alone never decides: its bytes are random to any reader.
        ulong scratch = 0;
        var alone = new InspectionInput(NewFlow(tcp: false), Query(), fromClient: true, isTcp: false, 0, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.NoMatch, new DnsCryptInspector().Inspect(ref alone));
    }

    [Fact]
    public void OnceTheServerSaidOtherwiseTheClientsSideEndsToo()
    {
        // Else the flow stays under inspection to the client's limit, for an inspector that can no longer claim it.
        ulong scratch = 0;
        var flow = NewFlow(tcp: false);
        var inspector = new DnsCryptInspector();
        InspectResult Show(bool fromClient, byte[] data, int index)
        {
            var input = new InspectionInput(flow, data, fromClient, isTcp: false, index, ref scratch);
            return inspector.Inspect(ref input);
        }
        Assert.Equal(InspectResult.NeedMore, Show(true, Query(), 0));
        Assert.Equal(InspectResult.NoMatch, Show(false, Answer(magic: "HTTP/1.1"), 0));
        Assert.Equal(InspectResult.NoMatch, Show(true, Query(), 1));
    }

    [Fact]
    public void AnAnswerSeenWithoutItsQueryIsClaimedByTheMagic()
    {
        // A capture that holds only the resolver's side: the magic, 8 bytes no other protocol sends first.
        Assert.Equal(InspectResult.Match, Udp((false, Answer())));
    }

    [Fact]
    public void DnsCryptFromTheEdgeOnItsWebPortIsAMismatch()
    {
        // The A/V Edge resolving through a resolver of its own choosing on TCP 443, which the documents open for its media
        // relay: DNS that bypasses the site's resolvers.
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("dnscrypt-from-the-edge", 1_700_000_000)
            .TcpSession(TunnelInspectorTests.EdgeExternal, TunnelInspectorTests.Internet, 443, 1,
                [new(0.01, true, Framed(Query())), new(0.02, false, Framed(Answer()))]));
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.DnsCrypt, Verdict.ProtocolMismatch), (flow.Flow.App, flow.Verdict.Verdict));
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "443");
    }
}

/// <summary>nDPI as the oracle for DNSCrypt on the bench capture: its DNScrypt flows against ours.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class DnsCryptNdpiTests(ITestOutputHelper output)
{
    [NeedsProgramFact("ndpiReader", shared: "bench/base.pcap", package: "libndpi-bin")]
    public void EachEncryptedDnsCryptFlowOfNdpiIsOursAndOursBeyondItAreExplained()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        var ndpi = NdpiFlow.Run(path, "DNScrypt");
        var flows = InspectTestData.Inspect(path).Flows;

        var ours = flows.Where(f => f.App == AppLabel.DnsCrypt).ToHashSet();
        var failures = new List<string>();
        int agreed = 0;
        foreach (var n in ndpi)
        {
            var flow = NdpiAgreementTests.Find(flows, n);
            // nDPI names DNScrypt's certificate queries (plain DNS, which we label dns) and its web site's TLS by its SNI.
            bool explained = flow?.App == AppLabel.DnsCrypt
                || (flow?.App == AppLabel.Dns && flow.AppDetail?.ToString()?.Contains("dnscrypt-cert") == true)
                || (flow?.App == AppLabel.Tls && n.Protocol.StartsWith("TLS.", StringComparison.Ordinal));
            if (flow?.App == AppLabel.DnsCrypt) agreed++;
            if (!explained) failures.Add($"nDPI {n.Protocol} {n.A}:{n.PortA} <-> {n.B}:{n.PortB}: ours {flow?.App?.Name ?? "none"} {flow?.AppDetail}");
            if (flow is not null) ours.Remove(flow);
        }
        // Beyond nDPI: a local resolver on 5353, which nDPI takes for mDNS by its port (its answers open with the magic).
        foreach (var flow in ours)
            if (flow.ServerPort != 5353) failures.Add($"ours alone: {flow.Client}:{flow.ClientPort} -> {flow.Server}:{flow.ServerPort}");
        output.WriteLine($"{agreed} encrypted DNSCrypt flows agree with nDPI; {ours.Count} more of ours on port 5353");
        Assert.Equal(11, agreed);
        Assert.Equal(3, ours.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
