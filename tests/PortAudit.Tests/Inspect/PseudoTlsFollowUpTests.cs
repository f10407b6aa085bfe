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
    private static Flow Inspect(byte[]? client, byte[]? server)
    {
        var messages = new List<SessionMessage>
        {
            new(0.01, true, MsTurnFrames.PseudoTlsClientHello),
            new(0.02, false, MsTurnFrames.PseudoTlsServerHelloAndDone),
        };
        if (client is not null) messages.Add(new(0.03, true, client));
        if (server is not null) messages.Add(new(0.04, false, server));
        var capture = new ScenarioCapture("pseudo-tls", 1_700_000_000).TcpSession(Client, EdgeExternal, 443, 1, messages);
        return Assert.Single(InspectTestData.Inspect(capture.Build()));
    }

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
            ], clientPort: 50002);
        var path = Path.Combine(Path.GetTempPath(), $"portaudit-pseudo-tls-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(path, capture.Build());
        try
        {
            var (report, flows) = ScenarioAudit.AuditFlows(catalog, inventory, [path], "pseudo-tls-at-the-edge");
            var byPort = flows.ToDictionary(f => f.Flow.ClientPort, f => f.Verdict);
            Assert.Equal(Verdict.Expected, byPort[50001].Verdict);
            Assert.Equal(Verdict.ProtocolMismatch, byPort[50002].Verdict);
            Assert.Contains("'pseudo-tls'", byPort[50002].Reason);
            Assert.Contains(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "443");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
