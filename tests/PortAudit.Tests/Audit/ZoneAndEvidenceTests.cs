using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Where traffic comes from and what inspection proved: zones decide who a wildcard lets in, evidence beats ports,
/// the rule inspection confirms wins, a host's own RPC range counts, alternatives satisfy each other.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ZoneAndEvidenceTests
{
    private static readonly RoleCatalog ZonedCatalog = new(
        [new Role("workstation", "w"), new Role("domain-controller", "d"), new Role("edge", "e"), new Role("front-end", "f")],
        [new Feature("federation", "f")],
        [
            MakeRule("edge-external", "any@external", "edge", 443, 443, "tls"),
            MakeRule("dc-ldap", "any@internal", "domain-controller", 389, 389, "ldap"),
            MakeRule("epm", "any@internal", "front-end", 135, 135, "epm"),
            MakeRule("dcom", "any@internal", "front-end", 1024, 65535, "dcerpc-dynamic", dynamic: true),
            MakeRule("media", "any@internal", "front-end", 49152, 65535, "rtp"),
            MakeRule("web-portal", "workstation", "front-end", 443, 443, "olap"),
            MakeRule("web-any", "any@internal", "front-end", 443, 443, "tls"),
            MakeRule("mail", "workstation", "front-end", 110, 110, "pop3", conditions: ["federation"]),
            MakeRule("gw-tls", "front-end", "edge", 5067, 5067, "sip-tls") with { OneOf = "gateway", Every = TimeSpan.FromMilliseconds(1) },
            MakeRule("gw-tcp", "front-end", "edge", 5068, 5068, "sip") with { OneOf = "gateway", Every = TimeSpan.FromMilliseconds(1) },
        ]);

    private const string Inventory = """
        segments:
          - name: internet
            cidrs: [0.0.0.0/0]
            zone: external
          - name: lan
            cidrs: [10.0.0.0/8]
            zone: internal
          - name: dmz
            cidrs: [172.16.0.0/24]
            zone: perimeter
        hosts:
          - name: dc01
            addresses: [10.0.1.10]
            roles: [domain-controller]
          - name: fe01
            addresses: [10.0.1.20]
            roles: [front-end]
            rpcDynamicPorts: 5000-5020
            features: [federation]
          - name: fe02
            addresses: [10.0.1.21]
            roles: [front-end]
          - name: clients
            cidrs: [10.0.8.0/22]
            roles: [workstation]
          - name: edge01
            addresses: [172.16.0.5]
            roles: [edge]
        """;

    private static FlowAuditor Auditor(TimeSpan? minimumSpan = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Inventory);
        try
        {
            return new FlowAuditor(AuditContext.Create(ZonedCatalog, InventoryLoader.Load(path, ZonedCatalog)), minimumSpan: minimumSpan);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void InternetReachesTheEdgeExternalSideButNotAnInternalService()
    {
        var auditor = Auditor();

        Assert.Equal(Verdict.Expected, auditor.Audit(Established("203.0.113.9", "172.16.0.5", 443)).Verdict);
        var dc = auditor.Audit(Established("203.0.113.9", "10.0.1.10", 389));
        Assert.Equal(Verdict.Unexpected, dc.Verdict);
        Assert.Equal("external", dc.Client.Zone);
    }

    [Fact]
    public void ScopedWildcardTakesNamedInternalHostsAndLeavesStrangersUnmapped()
    {
        var auditor = Auditor();

        Assert.Equal(Verdict.Expected, auditor.Audit(Established("10.0.8.7", "10.0.1.10", 389)).Verdict);
        var stranger = auditor.Audit(Established("10.0.99.1", "10.0.1.10", 389));
        Assert.Equal(Verdict.Unmapped, stranger.Verdict);
        Assert.Equal("client address is not in the inventory (zone internal)", stranger.Reason);
        Assert.Equal("(unmapped:lan)", stranger.Client.RoleLabel);
        // A named perimeter host is not in the internal zone, so any@internal does not take it.
        Assert.Equal(Verdict.Unexpected, auditor.Audit(Established("172.16.0.5", "10.0.1.10", 389)).Verdict);
    }

    [Fact]
    public void MapperAnsweredPortInsideAMediaRangeIsDynamicRpcNotAMismatch()
    {
        var flow = Established("10.0.8.7", "10.0.1.21", 50123);
        flow.App = AppLabel.DceRpc;
        flow.DceRpc = new DceRpcFacts(new Guid("a4f1db00-ca47-1067-b31f-00dd010662da") /* EMSMDB: no attacker interface, judged by port and evidence alone */, 0, null, RpcEvidence.EndpointMapper);

        var verdict = Auditor().Audit(flow);

        Assert.Equal((Verdict.ExpectedDynamicRpc, "dcom"), (verdict.Verdict, verdict.Rule?.Id));
    }

    [Fact]
    public void WithoutEvidenceTheSameFlowIsJudgedByTheMediaRange()
    {
        var flow = Established("10.0.8.7", "10.0.1.21", 50123);
        flow.App = AppLabel.DceRpc;

        var verdict = Auditor().Audit(flow);

        Assert.Equal((Verdict.ProtocolMismatch, "media"), (verdict.Verdict, verdict.Rule?.Id));
    }

    [Fact]
    public void AHostsOwnRpcRangeDecidesWhichPortsAreDynamicRpc()
    {
        var auditor = Auditor();
        var inside = Established("10.0.8.7", "10.0.1.20", 5010);
        inside.App = AppLabel.DceRpc;
        inside.DceRpc = new DceRpcFacts(new Guid("a4f1db00-ca47-1067-b31f-00dd010662da") /* EMSMDB: no attacker interface, judged by port and evidence alone */, 0, null, RpcEvidence.Bind);
        var outside = Established("10.0.8.7", "10.0.1.20", 6000);
        outside.App = AppLabel.DceRpc;
        outside.DceRpc = inside.DceRpc;

        Assert.Equal(Verdict.ExpectedDynamicRpc, auditor.Audit(inside).Verdict);
        Assert.NotEqual(Verdict.ExpectedDynamicRpc, auditor.Audit(outside).Verdict);
    }

    [Fact]
    public void TheRuleWhoseProtocolInspectionConfirmsIsTheOneInUse()
    {
        // Both rules allow the flow; "olap" is a protocol inspection cannot confirm, "tls" is what it found.
        var flow = Established("10.0.8.7", "10.0.1.21", 443);
        flow.App = AppLabel.Tls;

        var verdict = Auditor().Audit(flow);

        Assert.Equal(Verdict.Expected, verdict.Verdict);
        Assert.Equal("web-any", verdict.Rule?.Id);
        Assert.Equal(["web-any", "web-portal"], verdict.Covered.Select(r => r.Id));
    }

    [Fact]
    public void OneAlternativeInUseLeavesTheOtherAlternativeSeenNotMissing()
    {
        var auditor = Auditor(TimeSpan.Zero);
        auditor.Audit(Established("10.0.1.20", "172.16.0.5", 5068));
        auditor.Audit(Established("10.0.1.21", "172.16.0.5", 5070)); // fe02 talked to the gateway here, so its gateway flows could have shown
        var report = auditor.Complete();

        var group = report.Coverage.Where(e => e.Rule.OneOf == "gateway" && e.FromHost == "fe01").ToList();
        Assert.Equal([CoverageStatus.AlternativeSeen, CoverageStatus.Seen], group.Select(e => e.Status));
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Missing && f.ClientHost == "fe01" && f.Rule is "gw-tls" or "gw-tcp");
        // fe02 used neither: one missing finding for the group, not one per alternative.
        Assert.Single(report.Findings, f => f.Kind == FindingKind.Missing && f.ClientHost == "fe02" && f.Rule is "gw-tls" or "gw-tcp");
    }

    [Fact]
    public void AFeatureEnabledOnOneHostAppliesItsRulesToThatHostOnly()
    {
        var auditor = Auditor();

        Assert.Equal((Verdict.Expected, "mail"), (auditor.Audit(Established("10.0.8.7", "10.0.1.20", 110)) is var a ? (a.Verdict, a.Rule?.Id) : default));
        Assert.Equal(Verdict.Unexpected, auditor.Audit(Established("10.0.8.7", "10.0.1.21", 110)).Verdict);
        Assert.Equal(["fe01"], auditor.Complete().Coverage.Where(e => e.Rule.Id == "mail").Select(e => e.ToHost));
    }

    [Fact]
    public void FindingIdsAreStableAcrossRunsAndDifferByWhatTheFindingIs()
    {
        var first = Auditor();
        first.Audit(Established("203.0.113.9", "10.0.1.10", 389));
        var second = Auditor();
        second.Audit(Established("203.0.113.9", "10.0.1.10", 389));
        second.Audit(Established("203.0.113.9", "10.0.1.10", 389));

        var a = Assert.Single(first.Complete().Findings, f => f.Kind == FindingKind.Unexpected);
        var b = Assert.Single(second.Complete().Findings, f => f.Kind == FindingKind.Unexpected);
        Assert.Equal(a.Id, b.Id);
        Assert.Matches("^[0-9a-f]{16}$", a.Id);
        Assert.NotEqual(a.Id, FindingIdentity.Of(FindingKind.Unmapped, a.ClientHost, a.ServerHost, a.Transport, a.Ports, a.Rule));
    }
}
