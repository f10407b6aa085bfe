using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// One flow per class of rule the catalog review corrected (docs/catalog-review.md), audited against the committed
/// catalog: each was misjudged by the rule as it stood before the review and is judged right now.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class CorrectedRuleAuditTests
{
    private const string Workstation = "10.1.0.5", DomainController = "10.1.0.10", FrontEnd = "10.1.0.20", Gateway = "10.1.0.30";
    private const string Mediation = "10.1.0.31", EdgeInternal = "172.16.1.5", ReverseProxy = "172.16.1.8", AvEdge = "198.51.100.20";
    private const string Internet = "203.0.113.9", UnknownInternal = "10.1.7.7";

    private const string Inventory = $"""
        hosts:
          - name: ws
            addresses: [{Workstation}]
            roles: [workstation]
          - name: dc
            addresses: [{DomainController}]
            roles: [domain-controller, global-catalog]
          - name: fe
            addresses: [{FrontEnd}]
            roles: [lync-front-end, lync-server]
          - name: gw
            addresses: [{Gateway}]
            roles: [pstn-gateway]
          - name: med
            addresses: [{Mediation}]
            roles: [lync-mediation, lync-server]
          - name: edge-int
            addresses: [{EdgeInternal}]
            roles: [lync-edge-internal]
          - name: rp
            addresses: [{ReverseProxy}]
            roles: [reverse-proxy]
          - name: av-edge
            addresses: [{AvEdge}]
            roles: [lync-av-edge]
            zone: perimeter
        segments:
          - name: dmz
            cidrs: [172.16.1.0/24]
            zone: perimeter
        features: [enterprise-voice]
        """;

    private static readonly RoleCatalog Catalog = CatalogLoader.Load(SharedData.InRepository("rules"));

    private static FlowAuditor Auditor()
    {
        var path = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Inventory);
        try
        {
            return new FlowAuditor(AuditContext.Create(Catalog, InventoryLoader.Load(path, Catalog)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static FlowVerdict Audit(string client, string server, ushort port, string? app = null)
    {
        var flow = Established(client, server, port);
        flow.App = app is null ? null : AppLabel.Of(app);
        return Auditor().Audit(flow);
    }

    /// <summary>The verdict and the rule that decided it.</summary>
    private static (Verdict Verdict, string? Rule) Judge(string client, string server, ushort port, string? app = null)
    {
        var verdict = Audit(client, server, port, app);
        return (verdict.Verdict, verdict.Rule?.Id);
    }

    [Fact]
    public void LdapsToTheGlobalCatalogOn3269IsExpected()
    {
        // Was protocol ldap: the TLS that LDAPS shows on the wire was a high-severity mismatch.
        Assert.Equal((Verdict.Expected, "kb832017-global-catalog-ldap-tcp-3269"), Judge(Workstation, DomainController, 3269, "tls"));
    }

    [Theory]
    [InlineData(Internet)]
    [InlineData(EdgeInternal)]
    public void HostsOutsideTheInternalZoneAtADomainControllersSmbAreUnexpected(string client)
    {
        // Was "from: any": the Internet was expected at DC:445 (issue 21), and so was every named perimeter host.
        Assert.Equal((Verdict.Unexpected, null), Judge(client, DomainController, 445, "smb"));
        Assert.Equal((Verdict.Expected, "kb832017-domain-controller-smb-tcp-445"), Judge(Workstation, DomainController, 445, "smb"));
    }

    [Fact]
    public void UnknownInternalHostAtADomainControllerIsUnmapped()
    {
        var verdict = Audit(UnknownInternal, DomainController, 88, "kerberos");

        Assert.Equal(Verdict.Unmapped, verdict.Verdict);
        Assert.Contains("zone internal", verdict.Reason);
    }

    [Theory]
    [InlineData(4443, "tls", "lync-fe-web-external-https")]
    [InlineData(8080, "http", "lync-fe-web-external-http")]
    public void ReverseProxyReachingTheFrontEndsExternalWebSiteIsExpected(ushort port, string app, string rule)
    {
        Assert.Equal((Verdict.Expected, rule), Judge(ReverseProxy, FrontEnd, port, app));
        // 8080/4443 were modelled as the reverse proxy's own listeners, open to any host.
        Assert.Equal(Verdict.Unexpected, Audit(Internet, ReverseProxy, port, app).Verdict);
    }

    [Fact]
    public void MsTurnOverTcpAtTheAvEdgeOpeningWithPseudoTlsIsExpected()
    {
        // Inspection labels the pseudo-TLS opening stun ("ms-turn; pseudo-tls", TlsInspector): it is MS-TURN. A real TLS
        // handshake on the relay's port is another protocol (TLS to a web site, say), a mismatch.
        Assert.Equal((Verdict.Expected, "lync-edge-ext-turn-tcp-in"), Judge(Internet, AvEdge, 443, "stun"));
        Assert.Equal((Verdict.ProtocolMismatch, "lync-edge-ext-turn-tcp-in"), Judge(Internet, AvEdge, 443, "tls"));
    }

    [Fact]
    public void FrontEndToMediationOn5068IsUnexpected()
    {
        // The Miscellaneous table's 5068 row contradicted the internal table (5070 from the Front End); it is folded away.
        Assert.Equal((Verdict.Unexpected, null), Judge(FrontEnd, Mediation, 5068, "sip"));
        Assert.Equal((Verdict.Expected, "lync-mediation-gateway-tcp"), Judge(Gateway, Mediation, 5068, "sip"));
    }

    [Fact]
    public void OneGatewayTransportSeenLeavesTheOtherNotMissing()
    {
        var auditor = Auditor();
        auditor.Audit(Established(Gateway, Mediation, 5068));
        var report = auditor.Complete();

        Assert.Contains(report.Coverage, e => e.Rule.Id == "lync-mediation-gateway-tcp" && e.Status == CoverageStatus.Seen);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Missing && f.Rule == "lync-mediation-gateway-tls");
    }
}
