using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Inspect.SpecExamples;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// What follows MS-TURN's pseudo-TLS opening decides what the flow is: TURN messages in [MS-TURN] 2.1.4's framing keep it
/// stun; a server that answers any ClientHello with a ServerHello and ServerHelloDone and then carries HTTP, TLS records or
/// anything else is pseudo-tls, which no catalog protocol accepts.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class PseudoTlsFollowUpTests
{
    private const string Client = "203.0.113.77", EdgeExternal = "172.20.0.20";

    private static readonly byte[] Http = "GET /tunnel HTTP/1.1\r\nHost: relay.example\r\n\r\n"u8.ToArray();
    private static readonly byte[] ApplicationData = [23, 3, 3, 0, 32, .. Enumerable.Repeat((byte)0x5A, 32)];
    private static readonly byte[] Random = [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 73 + 11))];

    /// <summary>The opening, then each side's next bytes: <paramref name="client"/> and <paramref name="server"/> (none when null).</summary>
    private static Flow Inspect(byte[]? client, byte[]? server) =>
        Exchange(MsTurnFrames.PseudoTlsClientHello, [.. client is null ? [] : new[] { (true, client) }, .. server is null ? [] : new[] { (false, server) }]);

    /// <summary>The pseudo-TLS opening after <paramref name="clientHello"/>, then <paramref name="after"/> in order, each a segment of its side.</summary>
    private static Flow Exchange(byte[] clientHello, params (bool FromClient, byte[] Bytes)[] after)
    {
        var messages = new List<SessionMessage>
        {
            new(0.01, true, clientHello),
            new(0.02, false, MsTurnFrames.PseudoTlsServerHelloAndDone),
        };
        messages.AddRange(after.Select((m, i) => new SessionMessage(0.03 + i * 0.01, m.FromClient, m.Bytes)));
        var capture = new ScenarioCapture("pseudo-tls", 1_700_000_000).TcpSession(Client, EdgeExternal, 443, 1, messages);
        return Assert.Single(InspectTestData.Inspect(capture.Build()));
    }

    /// <summary>An end-to-end data frame (0x03) around <paramref name="relayed"/>.</summary>
    private static byte[] DataFrame(byte[] relayed) => [0x03, 0, (byte)(relayed.Length >> 8), (byte)relayed.Length, .. relayed];

    private static readonly byte[] ClientAllocate = MsTurnFrames.Framed(MsTurnFrames.AllocateRequest), ServerAllocate = MsTurnFrames.Framed(MsTurnFrames.AllocateResponse);

    [Fact]
    public void ThePseudoTlsOpeningThenAFramedAllocateAndItsAnswerIsMsTurn()
    {
        var flow = Inspect(MsTurnFrames.Framed(MsTurnFrames.AllocateRequest), MsTurnFrames.Framed(MsTurnFrames.AllocateResponse));
        Assert.Equal((AppLabel.Stun, "ms-turn; pseudo-tls"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheOpeningWithNothingAfterItStaysMsTurn()
    {
        var flow = Inspect(null, null);
        Assert.Equal((AppLabel.Stun, "ms-turn; pseudo-tls"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Theory]
    [InlineData("http", "after=http")]
    [InlineData("application-data", "after=tls-record")]
    [InlineData("random", "after=other")]
    [InlineData("unframed-allocate", "after=other")]
    public void OtherBytesAfterTheOpeningArePseudoTls(string what, string detail)
    {
        byte[] next = what switch
        {
            "http" => Http,
            "application-data" => ApplicationData,
            "random" => Random,
            _ => MsTurnFrames.AllocateRequest,
        };
        var flow = Inspect(next, null);
        Assert.Equal((AppLabel.PseudoTls, detail), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AFramedAllocateAnsweredByTlsRecordsIsPseudoTls()
    {
        // The client's half may be a genuine MS-TURN client's; the server's answer is what carries the tunnel.
        var flow = Inspect(MsTurnFrames.Framed(MsTurnFrames.AllocateRequest), ApplicationData);
        Assert.Equal((AppLabel.PseudoTls, "after=tls-record"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AFrameThatOnlyAnnouncesALongMessageIsNoReasonToWait()
    {
        // Control frame type and a TURN type, but a message length that disagrees with the frame's: ruled out at once.
        Assert.Equal(MsTurnFrame.Verdict.NotTurn, MsTurnFrame.Read(Hex("0200ffff 0003 0010 00000000")));
        Assert.Equal(MsTurnFrame.Verdict.Incomplete, MsTurnFrame.Read(MsTurnFrames.Framed(MsTurnFrames.AllocateRequest)[..30]));
        Assert.Equal(MsTurnFrame.Verdict.NotTurn, MsTurnFrame.Read([0x03, 0, .. MsTurnFrames.Framed(MsTurnFrames.AllocateRequest)[2..]]));
        Assert.Equal(MsTurnFrame.Verdict.TurnMessage, MsTurnFrame.Read(MsTurnFrames.Framed(MsTurnFrames.AllocateRequest)));
    }

    [Fact]
    public void ControlAndDataFramesThroughTheWindowStayMsTurn()
    {
        // Data frames relay media, whatever their bytes: HTTP or a TLS record inside one is not judged.
        var flow = Exchange(MsTurnFrames.PseudoTlsClientHello,
            (true, ClientAllocate), (false, ServerAllocate),
            (true, [.. DataFrame(Http), .. MsTurnFrames.Framed(MsTurnFrames.SendRequest), .. DataFrame(ApplicationData)]),
            (false, [.. DataFrame(Random), .. MsTurnFrames.Framed(MsTurnFrames.DataIndication)]));
        Assert.Equal((AppLabel.Stun, "ms-turn; pseudo-tls"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Theory]
    [InlineData(true, "application-data", "after=tls-record")]
    [InlineData(false, "application-data", "after=tls-record")]
    [InlineData(true, "http", "after=http")]
    [InlineData(false, "http", "after=http")]
    [InlineData(true, "random", "after=other")]
    [InlineData(false, "unframed-allocate", "after=other")]
    public void AMimicThatSendsOneFramedMessageEachWayAndThenItsOwnBytesIsPseudoTls(bool clientTunnels, string what, string detail)
    {
        byte[] tunnel = what switch
        {
            "http" => Http,
            "application-data" => ApplicationData,
            "random" => Random,
            _ => MsTurnFrames.AllocateRequest,
        };
        var flow = Exchange(MsTurnFrames.PseudoTlsClientHello,
            (true, ClientAllocate), (false, ServerAllocate), (clientTunnels, DataFrame([1, 2, 3, 4])), (clientTunnels, tunnel));
        Assert.Equal((AppLabel.PseudoTls, detail), (flow.App, flow.AppDetail?.ToString()));
    }

    [Theory]
    [InlineData("data-frame-length-short")]
    [InlineData("data-frame-reserved")]
    [InlineData("control-frame-length-lies")]
    [InlineData("control-frame-without-turn")]
    [InlineData("unknown-frame-type")]
    public void AFrameWhoseHeaderOrLengthLiesIsPseudoTls(string what)
    {
        byte[] next = what switch
        {
            // Says 4 bytes, carries the HTTP request: its rest stands where the next header is due.
            "data-frame-length-short" => [0x03, 0, 0, 4, .. Http],
            "data-frame-reserved" => [0x03, 1, .. DataFrame(Http)[2..]],
            // The frame's length one past the TURN message's.
            "control-frame-length-lies" => [.. ClientAllocate[..3], (byte)(ClientAllocate[3] + 1), .. ClientAllocate[4..], 0],
            "control-frame-without-turn" => [0x02, 0, 0, (byte)Http.Length, .. Http],
            _ => [0x04, 0, .. DataFrame(Http)[2..]],
        };
        var flow = Exchange(MsTurnFrames.PseudoTlsClientHello, (true, ClientAllocate), (false, ServerAllocate), (true, next));
        Assert.Equal((AppLabel.PseudoTls, "after=other"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AFrameCutByTheEndOfTheInspectedBytesIsFine()
    {
        // A data frame that goes on past the 4 KiB inspected of the client's direction: what is seen of it is framing.
        var flow = Exchange(MsTurnFrames.PseudoTlsClientHello,
            (true, ClientAllocate), (false, ServerAllocate), (true, DataFrame(new byte[6000])), (true, Http));
        Assert.Equal((AppLabel.Stun, "ms-turn; pseudo-tls"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void FollowJudgesEveryFrameAndNamesWhereTheFramingBroke()
    {
        byte[] frames = [.. ClientAllocate, .. DataFrame(Http), .. MsTurnFrames.Framed(MsTurnFrames.SendRequest)];
        Assert.Equal(MsTurnFrame.Verdict.TurnMessage, MsTurnFrame.Follow(frames, out _));
        Assert.Equal(MsTurnFrame.Verdict.NotTurn, MsTurnFrame.Follow([.. frames, .. Http], out int at));
        Assert.Equal(frames.Length, at);
        // A data frame first is no MS-TURN: the first message each way is a control message.
        Assert.Equal(MsTurnFrame.Verdict.NotTurn, MsTurnFrame.Follow(DataFrame(Http), out at));
        Assert.Equal(0, at);
        // Every cut of the frames, inside a header or a body, is framing as far as it goes; the first frame cut waits.
        for (int cut = 0; cut < frames.Length; cut++)
            Assert.Equal(cut < ClientAllocate.Length ? MsTurnFrame.Verdict.Incomplete : MsTurnFrame.Verdict.TurnMessage, MsTurnFrame.Follow(frames[..cut], out _));
    }

    [Fact]
    public void FollowNeverThrowsOnMutatedFrames()
    {
        // Each byte of a valid sequence set to every value: a lying length or type must end in a verdict, not a throw.
        byte[] frames = [.. ClientAllocate, .. DataFrame([1, 2, 3]), .. MsTurnFrames.Framed(MsTurnFrames.SendRequest), .. DataFrame([])];
        int notTurn = 0;
        for (int i = 0; i < frames.Length; i++)
            for (int value = 0; value < 256; value += 5)
            {
                var mutated = (byte[])frames.Clone();
                mutated[i] = (byte)value;
                if (MsTurnFrame.Follow(mutated, out int at) == MsTurnFrame.Verdict.NotTurn)
                {
                    Assert.InRange(at, 0, mutated.Length - 1);
                    notTurn++;
                }
            }
        Assert.True(notTurn > 0);
    }

    [Fact]
    public void TheMimicKeepsTheServerNameItsClientHelloAskedFor()
    {
        var hello = TlsInspectorTests.ClientHello("paste.example.net");
        var mimic = Exchange(hello, (true, Http));
        Assert.Equal((AppLabel.PseudoTls, "sni=paste.example.net; alpn=h2,http/1.1; after=http"), (mimic.App, mimic.AppDetail?.ToString()));
        var framed = Exchange(hello, (true, ClientAllocate), (false, ServerAllocate));
        Assert.Equal((AppLabel.Stun, "sni=paste.example.net; alpn=h2,http/1.1; ms-turn; pseudo-tls"), (framed.App, framed.AppDetail?.ToString()));
        var later = Exchange(hello, (true, ClientAllocate), (false, ServerAllocate), (false, ApplicationData));
        Assert.Equal((AppLabel.PseudoTls, "sni=paste.example.net; alpn=h2,http/1.1; after=tls-record"), (later.App, later.AppDetail?.ToString()));
    }

    [Fact]
    public void AtTheEdgeTheImitationIsAProtocolMismatchAndMsTurnIsExpected()
    {
        // The Edge's external interface has one address for every service: its 443 rules allow TLS (the Access Edge's SIP,
        // web conferencing) and MS-TURN over TCP. pseudo-tls is neither.
        var catalog = ScenarioAudit.RepositoryCatalog;
        var inventory = InventoryLoader.Load(SharedData.InRepository("tests/PortAudit.Tests/Scenarios/Inventories/lync-edge-site.yaml"), catalog);
        var capture = new ScenarioCapture("pseudo-tls-at-the-edge", 1_700_000_000)
            .TcpSession(Client, EdgeExternal, 443, 1,
            [
                new(0.01, true, MsTurnFrames.PseudoTlsClientHello), new(0.02, false, MsTurnFrames.PseudoTlsServerHelloAndDone),
                new(0.03, true, MsTurnFrames.Framed(MsTurnFrames.AllocateRequest)), new(0.04, false, MsTurnFrames.Framed(MsTurnFrames.AllocateResponse)),
            ], clientPort: 50001)
            .TcpSession(Client, EdgeExternal, 443, 2,
            [
                new(0.01, true, MsTurnFrames.PseudoTlsClientHello), new(0.02, false, MsTurnFrames.PseudoTlsServerHelloAndDone),
                new(0.03, true, Http),
            ], clientPort: 50002)
            .TcpSession(Client, EdgeExternal, 443, 3,
            [
                new(0.01, true, MsTurnFrames.PseudoTlsClientHello), new(0.02, false, MsTurnFrames.PseudoTlsServerHelloAndDone),
                new(0.03, true, MsTurnFrames.Framed(MsTurnFrames.AllocateRequest)), new(0.04, false, MsTurnFrames.Framed(MsTurnFrames.AllocateResponse)),
                new(0.05, true, Http),
            ], clientPort: 50003);
        var path = Path.Combine(Path.GetTempPath(), $"portaudit-pseudo-tls-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(path, capture.Build());
        try
        {
            var (report, flows) = ScenarioAudit.AuditFlows(catalog, inventory, [path], "pseudo-tls-at-the-edge");
            var byPort = flows.ToDictionary(f => f.Flow.ClientPort, f => f.Verdict);
            Assert.Equal(Verdict.Expected, byPort[50001].Verdict);
            Assert.Equal(Verdict.ProtocolMismatch, byPort[50002].Verdict);
            // The mimic: one framed Allocate exchange, then its own bytes.
            Assert.Equal(Verdict.ProtocolMismatch, byPort[50003].Verdict);
            Assert.Contains("'pseudo-tls'", byPort[50002].Reason);
            Assert.Contains(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "443");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
