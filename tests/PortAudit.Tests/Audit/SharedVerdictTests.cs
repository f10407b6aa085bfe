using PortAudit.Audit;
using PortAudit.Catalog;
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

    // Watched past the end of the datagram's second: a flow unanswered at the end of input has a verdict of its own.
    private static Flow Datagram(string client, string server, ushort port) =>
        Assert.Single(WatchedFlowsOf(Ethernet(Ip(client, server, 17, Udp(port, port)))));

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
    public void Flows_of_two_pairs_of_ends_in_turn_keep_each_pairs_verdict_and_findings()
    {
        // Judging remembers the last pair of ends it looked up (LastLookup): flows that alternate between two pairs must
        // still get their own pair's verdict, role pair and finding, whichever was asked last.
        var auditor = Auditor();
        var verdicts = new List<FlowVerdict>();
        for (int i = 0; i < 3; i++)
        {
            verdicts.Add(auditor.Audit(Datagram("10.50.0.101", "10.50.0.200", 999)));
            verdicts.Add(auditor.Audit(Datagram("10.50.0.10", "10.50.0.201", 999)));
        }
        var report = auditor.Complete();

        Assert.All(verdicts.Where((_, i) => i % 2 == 0), v => Assert.Same(verdicts[0], v));
        Assert.All(verdicts.Where((_, i) => i % 2 == 1), v => Assert.Same(verdicts[1], v));
        Assert.NotSame(verdicts[0], verdicts[1]);
        Assert.Equal(("ws01", "dc01"), (verdicts[0].Client.Host?.Name, verdicts[1].Client.Host?.Name));
        Assert.Equal(3, report.Findings.Where(f => f.ClientHost == "ws01").Sum(f => f.Tally.Flows));
        Assert.Equal(3, report.Findings.Where(f => f.ClientHost == "dc01").Sum(f => f.Tally.Flows));
        Assert.Equal([3L, 3L], report.RolePairs.Select(p => p.Flows).Order());
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
