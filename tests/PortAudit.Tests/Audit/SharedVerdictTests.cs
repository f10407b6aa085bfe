using PortAudit.Audit;
using PortAudit.Flows;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Flows no rule explains, without a reason of their own, share one verdict per pair of ends (FlowClassifier): the same
/// object for every such flow between the same ends, never for flows whose reason names their port, and the findings
/// count each flow all the same.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SharedVerdictTests
{
    private const string Inventory = """
        hosts:
          - name: dc01
            addresses: [10.50.0.10]
            roles: [domain-controller]
          - name: ws01
            addresses: [10.50.0.101]
            roles: [workstation, windows-host]
        segments:
          - name: lan
            cidrs: [10.50.0.0/24]
        """;

    private static FlowAuditor Auditor() => RepositoryAuditor(Inventory);

    private static Flow Datagram(string client, string server, ushort port) =>
        Assert.Single(FlowsOf(Ethernet(Ip(client, server, 17, Udp(port, port)))));

    [Fact]
    public void Unmapped_flows_between_the_same_ends_share_one_verdict_and_count_apart()
    {
        var auditor = Auditor();
        var first = auditor.Audit(Datagram("10.50.0.101", "10.50.0.200", 999));
        var second = auditor.Audit(Datagram("10.50.0.101", "10.50.0.200", 998));
        var otherClient = auditor.Audit(Datagram("10.50.0.10", "10.50.0.200", 999));
        var report = auditor.Complete();

        Assert.Equal(Verdict.Unmapped, first.Verdict);
        Assert.Same(first, second);
        Assert.NotSame(first, otherClient);
        Assert.Equal("server address is not in the inventory (zone internal)", first.Reason);
        Assert.Equal(2, report.Findings.Where(f => f.ClientHost == "ws01").Sum(f => f.Tally.Flows));
        Assert.Equal(3, report.RolePairs.Sum(p => p.Count(Verdict.Unmapped)));
    }

    [Fact]
    public void Flows_whose_reason_names_their_port_get_verdicts_of_their_own()
    {
        // Ports of the dynamic RPC range that no endpoint-mapper answer explains: the reason says which port.
        var auditor = Auditor();
        var first = auditor.Audit(Assert.Single(FlowsOf(Ethernet(Ip("10.50.0.101", "10.50.0.10", 6, Tcp(40001, 50001, 0x02))))));
        var second = auditor.Audit(Assert.Single(FlowsOf(Ethernet(Ip("10.50.0.101", "10.50.0.10", 6, Tcp(40002, 50002, 0x02))))));

        Assert.Equal((Verdict.Unexpected, Verdict.Unexpected), (first.Verdict, second.Verdict));
        Assert.NotSame(first, second);
        Assert.StartsWith("port 50001 is in the dynamic RPC range of rule ", first.Reason, StringComparison.Ordinal);
        Assert.StartsWith("port 50002 is in the dynamic RPC range of rule ", second.Reason, StringComparison.Ordinal);
    }
}
