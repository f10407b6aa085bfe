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

    [Fact]
    public void ADnsQueryFromPort53IsJudgedFromItsSender()
    {
        // A workstation queries from port 53 a DC's port in its dynamic RPC range. Taken from
        // the ports, the DC was the client of a DNS server on the workstation (unexpected, "would be allowed if ws01 had role
        // dns-server"); the query says who asked, and DNS on the DC's dynamic range is the DNS tunnel check's mismatch.
        const string Inventory = """
            segments:
              - name: lan
                cidrs: [10.0.0.0/24]
                zone: internal
            hosts:
              - name: dc01
                addresses: [10.0.0.10]
                roles: [domain-controller]
              - name: ws01
                addresses: [10.0.0.50]
                roles: [workstation, windows-host]
            """;
        var query = DnsQuery("x.example.com", id: 10);
        var flow = Assert.Single(Inspect.InspectTestData.Inspect(Builders.PcapBuilder.Spaced(
            Ethernet(Ip("10.0.0.50", "10.0.0.10", 17, Udp(53, 53535, query))), Ethernet(Ip("10.0.0.10", "10.0.0.50", 17, Udp(53535, 53, DnsAnswer(query)))))));
        var verdict = RepositoryAuditor(Inventory).Audit(flow);
        Assert.Equal(("10.0.0.50", Verdict.ProtocolMismatch, "kb832017-domain-controller-dcom-udp-dynamic"),
            (flow.Client.ToString(), verdict.Verdict, verdict.Rule?.Id));
    }
}
