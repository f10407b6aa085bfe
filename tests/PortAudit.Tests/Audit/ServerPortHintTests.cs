using PortAudit.Audit;
using PortAudit.Flows;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

[Trait(Tier.Name, Tier.Unit)]
public class ServerPortHintTests
{
    private static readonly CatalogServerPortHint Hint = AuditContext.Create(AuditFixture.Catalog, LoadInventory()).ServerPorts;

    [Theory]
    [InlineData(6, 5061, true)]    // a rule names it exactly
    [InlineData(6, 8080, true)]    // an optional rule still names it
    [InlineData(17, 138, true)]
    [InlineData(6, 22, true)]      // well-known, though no rule names it
    [InlineData(17, 5061, false)]  // the rule is TCP only
    [InlineData(6, 49668, false)]  // only inside the dynamic RPC range, where clients pick their ports too
    [InlineData(6, 30000, false)]
    public void FixedCatalogPortsAndWellKnownPortsAreServerPorts(byte protocol, ushort port, bool server) =>
        Assert.Equal(server, Hint.IsServerPort(protocol, port));

    [Fact]
    public void MidstreamFlowIsTurnedTowardsTheCatalogPort()
    {
        // The capture starts after the handshake, with the server's answer from 5061.
        var frames = new[]
        {
            Ethernet(Ip(Sip, Ws, 6, Tcp(5061, 50123, Ack | Psh, data: [1, 2, 3]))),
            Ethernet(Ip(Ws, Sip, 6, Tcp(50123, 5061, Ack))),
        };
        var builder = new Builders.PcapBuilder();
        foreach (var frame in frames) builder.Add(frame, 1);
        var flow = Assert.Single(Flows.FlowRunner.Run(builder.Build(), new FlowTableOptions { ServerPorts = Hint }).Flows);

        Assert.Equal(FlowState.Midstream, flow.State);
        Assert.Equal((Ws, (ushort)5061), (flow.Client.ToString(), flow.ServerPort));
        Assert.Equal(Verdict.Expected, Auditor().Audit(flow).Verdict);
    }
}
