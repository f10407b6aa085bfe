using PortAudit.Catalog;

namespace PortAudit.Tests.Catalog;

/// <summary>Facts about the committed catalog in rules/ that the issue asks for explicitly.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class RepositoryCatalogTests
{
    private static readonly RoleCatalog Catalog = CatalogLoader.Load(SharedData.InRepository("rules"));

    [Theory]
    [InlineData("lync-front-end"), InlineData("lync-edge-internal"), InlineData("lync-edge-external"), InlineData("lync-mediation")]
    [InlineData("lync-persistent-chat"), InlineData("reverse-proxy"), InlineData("pstn-gateway"), InlineData("lync-client")]
    [InlineData("federated-partner"), InlineData("xmpp-partner"), InlineData("domain-controller"), InlineData("global-catalog")]
    [InlineData("dns-server"), InlineData("exchange-server"), InlineData("sql-server"), InlineData("cisco-unity"), InlineData("cucm")]
    [InlineData("sip-endpoint"), InlineData("workstation"), InlineData("mobile-information-server")]
    [InlineData("dhcp-server"), InlineData("wins-server"), InlineData("terminal-server"), InlineData("iis-web-server")]
    [InlineData("certificate-authority"), InlineData("msmq-server")]
    public void RequiredRoleIsDefined(string role) => Assert.NotNull(Catalog.FindRole(role));

    [Theory]
    [InlineData("federation"), InlineData("xmpp-federation"), InlineData("public-im"), InlineData("ocs2007-federation")]
    [InlineData("enterprise-voice"), InlineData("dial-in-conferencing"), InlineData("failover"), InlineData("https-disabled")]
    [InlineData("rpc-over-https"), InlineData("ipsec")]
    public void RequiredFeatureIsDefined(string feature) => Assert.NotNull(Catalog.FindFeature(feature));

    [Fact]
    public void RepeatedLyncRowsBecomeOneRuleWithTheDiscrepancyNoted()
    {
        var mediation5070 = Assert.Single(Catalog.Rules, r => r.To == "lync-mediation" && r.UsesPort(5070, Transport.Tcp));
        Assert.Contains("twice", mediation5070.Notes);
        var sqlBrowser = Assert.Single(Catalog.Rules, r => r.Product == "lync-server-2013" && r.UsesPort(1434, Transport.Udp));
        Assert.Contains("twice", sqlBrowser.Notes);
    }

    [Fact]
    public void DynamicRpcIsModelledWithEndpointMapperAndOverridableRange()
    {
        var unity = Catalog.Rules.Where(r => r.Id.StartsWith("unity-dc-", StringComparison.Ordinal)).ToList();
        Assert.Contains(unity, r => r.Protocol == "epm" && r.UsesPort(135, Transport.Tcp));
        var dcom = Assert.Single(unity, r => r.Protocol == "dcerpc-dynamic");
        Assert.True(dcom.DynamicRange);
        Assert.Equal([new PortRange(5000, 5020)], dcom.Ports);

        var windows = Catalog.Rules.First(r => r.Product == "windows-server-system" && r.Protocol == "dcerpc-dynamic");
        Assert.True(windows.DynamicRange);
        Assert.Equal([new PortRange(1024, 65535)], windows.Ports);
    }

    [Fact]
    public void IndexAnswersForTheRealCatalog()
    {
        var index = new RuleIndex(Catalog);
        var unity = index.RoleSetOf("cisco-unity");

        Assert.True(index.Allows(Transport.Udp, 88, unity, index.RoleSetOf("domain-controller")));
        Assert.True(index.Allows(Transport.Tcp, 5010, unity, index.RoleSetOf("domain-controller")));
        Assert.False(index.Allows(Transport.Tcp, 5021, unity, index.RoleSetOf("cucm")));
        Assert.Equal(PortHint.Fixed, index.GetPortHint(Transport.Tcp, 5061));
    }
}
