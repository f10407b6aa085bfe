using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A flow to the subnet broadcast of an inventory prefix is judged against the roles of the inventory hosts inside the
/// prefix other than its client, with the repository's catalog: NetBIOS broadcasts between Windows hosts are expected by
/// KB832017's rules, other broadcasts unexpected, and a prefix without other hosts, /31s, /32s, IPv6, the limited
/// broadcast and multicast are unmapped as before.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class BroadcastVerdictTests
{
    private const string Inventory = """
        hosts:
          - name: dc01
            addresses: [10.50.0.10]
            roles: [domain-controller]
          - name: fs01
            addresses: [10.50.0.20]
            roles: [file-server, windows-host]
          - name: ws01
            addresses: [10.50.0.101]
            roles: [workstation, windows-host]
          - name: clients
            cidrs: [10.50.0.64/27]
            roles: [workstation, windows-host]
          - name: solo01
            addresses: [10.90.0.5]
            roles: [windows-host]
          - name: edge01
            addresses: [10.70.0.0]
            roles: [windows-host]
          - name: v6a
            addresses: ["2001:db8:5::10"]
            roles: [windows-host]
          - name: v6b
            addresses: ["2001:db8:5::11"]
            roles: [windows-host]
        segments:
          - name: lan
            cidrs: [10.50.0.0/24, "2001:db8:5::/64"]
            zone: internal
          - name: empty
            cidrs: [10.60.0.0/24]
          - name: solo
            cidrs: [10.90.0.0/24]
          - name: link
            cidrs: [10.70.0.0/31]
          - name: one
            cidrs: [10.80.0.7/32]
        """;

    private static FlowAuditor Auditor(string inventory = Inventory) => RepositoryAuditor(inventory);

    private static Flow Datagram(string client, string server, ushort port, AppLabel? app)
    {
        var flow = Assert.Single(FlowsOf(Ethernet(Ip(client, server, 17, Udp(port, port)))));
        Assert.Equal((server, FlowState.Unanswered), (flow.Server.ToString(), flow.State));
        flow.App = app;
        return flow;
    }

    [Theory]
    [InlineData(137, "netbios-ns", "kb832017-windows-host-netbios-ns-udp-137")]
    [InlineData(138, "netbios-dgm", "kb832017-windows-host-netbios-dgm-udp-138")]
    public void NetBiosBroadcastToASegmentWithHostsIsExpectedByTheWindowsHostRule(ushort port, string app, string rule)
    {
        var auditor = Auditor();
        var verdict = auditor.Audit(Datagram("10.50.0.101", "10.50.0.255", port, AppLabel.Of(app)));
        var report = auditor.Complete();

        Assert.Equal((Verdict.Expected, rule, false), (verdict.Verdict, verdict.Rule?.Id, verdict.FailedAttempt));
        // Its reason says where it went; the client itself is not among the hosts it reached, the host group is.
        Assert.Equal("broadcast to lan 10.50.0.255: reaches 3 hosts (dc01, fs01, clients)", verdict.Reason);
        Assert.Null(verdict.Server.Host);
        Assert.Equal("(broadcast:lan 10.50.0.255)", verdict.Server.Name);
        Assert.Equal(["domain-controller", "file-server", "windows-host", "workstation"], verdict.Server.RoleIds);
        Assert.Empty(report.Findings);
        // A broadcast exercises no rule instance: it does not show that any one receiver got it.
        Assert.Empty(verdict.Covered);
        Assert.All(report.Coverage, e => Assert.Equal(0, e.Tally.Flows));
        Assert.Contains(report.RolePairs, p => p.ServerRoles == "(broadcast:lan 10.50.0.255)" && p.Count(Verdict.Expected) == 1);
    }

    [Fact]
    public void BroadcastOnAPortNoRuleAllowsIsUnexpectedNamingTheBroadcast()
    {
        // Below 1024, so no dynamic RPC range covers the port either.
        var auditor = Auditor();
        var verdict = auditor.Audit(Datagram("10.50.0.101", "10.50.0.255", 999, null));
        var report = auditor.Complete();

        Assert.Equal((Verdict.Unexpected, false), (verdict.Verdict, verdict.FailedAttempt));
        Assert.Equal("no rule allows it; broadcast to lan 10.50.0.255: reaches 3 hosts (dc01, fs01, clients)", verdict.Reason);
        var finding = Assert.Single(report.Findings);
        Assert.Equal((FindingKind.Unexpected, "ws01", "(broadcast:lan 10.50.0.255)", "999"),
            (finding.Kind, finding.ClientHost, finding.ServerHost, finding.Ports));
        Assert.Equal(verdict.Reason, finding.Reason);
        Assert.Equal([IpPrefix.Single(IpAddr.FromV4(0x0A3200FF))], finding.ServerPrefixes);
        Assert.Null(finding.Segment);
    }

    [Fact]
    public void BroadcastFromAHostGroupReachesTheGroupsOtherMembers()
    {
        var verdict = Auditor().Audit(Datagram("10.50.0.70", "10.50.0.255", 138, AppLabel.NetBiosDgm));

        Assert.Equal((Verdict.Expected, "kb832017-windows-host-netbios-dgm-udp-138"), (verdict.Verdict, verdict.Rule?.Id));
        Assert.Equal("broadcast to lan 10.50.0.255: reaches 4 hosts (dc01, fs01, ws01, ...)", verdict.Reason);
        Assert.Contains(verdict.Server.Broadcast!.Hosts, h => h.Name == "clients");
    }

    [Theory]
    [InlineData("10.50.0.101", "10.60.0.255")]          // a segment no inventory host lies in
    [InlineData("10.90.0.5", "10.90.0.255")]            // the client is the segment's only host
    [InlineData("10.70.0.0", "10.70.0.1")]              // a /31 has no broadcast: its all-ones address is a host
    [InlineData("10.50.0.101", "10.80.0.7")]            // nor has a /32
    [InlineData("10.50.0.101", "255.255.255.255")]      // who receives the limited broadcast, the inventory does not say
    [InlineData("10.50.0.101", "224.0.0.1")]            // nor a multicast group's members
    [InlineData("2001:db8:5::10", "2001:db8:5:0:ffff:ffff:ffff:ffff")] // IPv6 has no broadcast
    public void OtherGroupAndAllOnesAddressesStayUnmapped(string client, string server)
    {
        var auditor = Auditor();
        var verdict = auditor.Audit(Datagram(client, server, 138, AppLabel.NetBiosDgm));

        Assert.Equal((Verdict.Unmapped, null), (verdict.Verdict, verdict.Server.Broadcast));
        Assert.StartsWith("server address is not in the inventory", verdict.Reason);
        Assert.Equal(FindingKind.Unmapped, Assert.Single(auditor.Complete().Findings).Kind);
    }

    [Fact]
    public void AnInternetSegmentGivesTheLimitedBroadcastNoReceivers()
    {
        // 0.0.0.0/0's all-ones address is the limited broadcast, not the broadcast of a subnet whose hosts the inventory lists.
        var auditor = Auditor("""
            hosts:
              - name: ws01
                addresses: [10.50.0.101]
                roles: [workstation, windows-host]
              - name: fs01
                addresses: [10.50.0.20]
                roles: [file-server, windows-host]
            segments:
              - name: internet
                cidrs: [0.0.0.0/0]
                zone: external
            """);
        var verdict = auditor.Audit(Datagram("10.50.0.101", "255.255.255.255", 138, AppLabel.NetBiosDgm));

        Assert.Equal((Verdict.Unexpected, null, false), (verdict.Verdict, verdict.Server.Broadcast, verdict.FailedAttempt));
        Assert.DoesNotContain("broadcast", verdict.Reason);
    }
}
