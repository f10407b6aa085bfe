using PortAudit.Catalog;
using PortAudit.Common;

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
    [InlineData("lync-director"), InlineData("lync-cms"), InlineData("lync-sba"), InlineData("lync-access-edge"), InlineData("lync-webconf-edge")]
    [InlineData("lync-av-edge"), InlineData("unity-secondary"), InlineData("unity-directory-gc"), InlineData("unity-mapi-gc")]
    [InlineData("unity-voice-connector"), InlineData("rpc-over-http-proxy"), InlineData("nas")]
    public void RequiredRoleIsDefined(string role) => Assert.NotNull(Catalog.FindRole(role));

    [Theory]
    [InlineData("federation"), InlineData("xmpp-federation"), InlineData("public-im"), InlineData("ocs2007-federation")]
    [InlineData("enterprise-voice"), InlineData("dial-in-conferencing"), InlineData("failover"), InlineData("lync.https-disabled")]
    [InlineData("unity.https-disabled"), InlineData("mis.https-disabled")]
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
        // Windows Server 2008 and later; a legacy system's 1025-5000 comes from the inventory (InventoryLoader.LegacyRpcPorts).
        Assert.Equal([new PortRange(49152, 65535)], windows.Ports);
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

    [Theory]
    [InlineData("lync-mediation-gateway-tls", "lync-mediation-gateway-tcp", "mediation-gateway-in")]
    [InlineData("lync-fe-collocated-mediation-gateway-tls", "lync-fe-collocated-mediation-gateway-tcp", "mediation-gateway-in-collocated")]
    [InlineData("lync-misc-mediation-to-gateway", "lync-misc-mediation-to-gateway-tls", "mediation-gateway-out")]
    [InlineData("unity-dc-smb", "unity-dc-netbios-ssn", "unity-dc-smb-transport")]
    [InlineData("kb832017-domain-controller-smb-tcp-445", "kb832017-domain-controller-netbios-ssn-tcp-139", "kb832017-domain-controller-smb-transport")]
    [InlineData("kb832017-rras-server-pptp-tcp-1723", "kb832017-rras-server-esp", "rras-vpn")]
    public void AlternativesShareAGroupBetweenTheSameRoles(string one, string other, string group)
    {
        var first = Catalog.Rules.Single(r => r.Id == one);
        var second = Catalog.Rules.Single(r => r.Id == other);

        Assert.Equal((group, group), (first.OneOf, second.OneOf));
        Assert.Equal((first.From, first.To), (second.From, second.To));
    }

    [Fact]
    public void HttpsEnabledUnlessTheProductDisablesItAndOnlyThatProduct()
    {
        // "If HTTPS is disabled, TCP 80" / "If HTTPS is enabled, TCP 443": one rule each, never both.
        var admin = CreateSet("admin-workstation");
        var unity = CreateSet("cisco-unity");
        var https = new RuleIndex(Catalog, ["unity-web-admin"]);
        var http = new RuleIndex(Catalog, ["unity-web-admin", "unity.https-disabled"]);
        // Lync's switch is Lync's: it leaves Unity on HTTPS and turns Lync's web farm to HTTP.
        var lyncHttp = new RuleIndex(Catalog, ["unity-web-admin", "lync.https-disabled"]);

        Assert.Equal((true, false), (https.Allows(Transport.Tcp, 443, admin(https), unity(https)), https.Allows(Transport.Tcp, 80, admin(https), unity(https))));
        Assert.Equal((false, true), (http.Allows(Transport.Tcp, 443, admin(http), unity(http)), http.Allows(Transport.Tcp, 80, admin(http), unity(http))));
        Assert.Equal((true, false), (lyncHttp.Allows(Transport.Tcp, 443, admin(lyncHttp), unity(lyncHttp)), lyncHttp.Allows(Transport.Tcp, 80, admin(lyncHttp), unity(lyncHttp))));
        Assert.Contains(lyncHttp.Rules, r => r.Id == "lync-fe-web-http");
        Assert.DoesNotContain(https.Rules, r => r.Id == "lync-fe-web-http");
    }

    [Fact]
    public void UnityPrimaryReachesItsDirectoryWithoutFailoverAndTheSecondaryToo()
    {
        // The DC tables are written for the secondary behind a firewall; they used to hang on failover alone.
        var index = new RuleIndex(Catalog, []);
        var dc = index.RoleSetOf("domain-controller");

        Assert.True(index.Allows(Transport.Tcp, 389, index.RoleSetOf("cisco-unity"), dc));
        Assert.True(index.Allows(Transport.Tcp, 389, index.RoleSetOf("unity-secondary"), dc));
        Assert.False(index.Allows(Transport.Tcp, 3268, index.RoleSetOf("cisco-unity"), index.RoleSetOf("global-catalog")));
        Assert.True(index.Allows(Transport.Tcp, 3268, index.RoleSetOf("cisco-unity"), index.RoleSetOf("unity-directory-gc")));
        Assert.False(index.Allows(Transport.Udp, 3268, index.RoleSetOf("cisco-unity"), index.RoleSetOf("unity-directory-gc")));
    }

    [Fact]
    public void RpcOverHttpPortsAreReachedFromTheProxyOnly()
    {
        var index = new RuleIndex(Catalog, ["rpc-over-https"]);
        var exchange = index.RoleSetOf("exchange-server");

        Assert.True(index.Allows(Transport.Tcp, 6001, index.RoleSetOf("rpc-over-http-proxy"), exchange));
        Assert.False(index.Allows(Transport.Tcp, 6001, index.RoleSetOf("workstation"), exchange));
        Assert.True(index.Allows(Transport.Tcp, 443, index.CreateEndpointSet([], named: false, Zone.External, zoneListed: false), index.RoleSetOf("rpc-over-http-proxy")));
        Assert.False(index.Allows(Transport.Tcp, 443, index.RoleSetOf("workstation"), exchange));
    }

    [Fact]
    public void OptionalExchangeProtocolsApplyOnlyWhereOffered()
    {
        Assert.DoesNotContain(new RuleIndex(Catalog, []).Rules, r => r.Id is "kb832017-exchange-server-pop3-tcp-110" or "kb832017-exchange-server-x400-tcp-102");
        Assert.Contains(new RuleIndex(Catalog, ["exchange-pop3"]).Rules, r => r.Id == "kb832017-exchange-server-pop3-tcp-110");
    }

    [Fact]
    public void E911GoesOutFromTheFrontEndToTheGateway()
    {
        var index = new RuleIndex(Catalog, ["enterprise-voice", "e911"]);
        var (frontEnd, gateway) = (index.RoleSetOf("lync-front-end"), index.RoleSetOf("pstn-gateway"));

        Assert.True(index.Allows(Transport.Tcp, 5066, frontEnd, gateway));
        Assert.False(index.Allows(Transport.Tcp, 5066, gateway, frontEnd));
    }

    [Fact]
    public void NeverOnTheWireRowsHaveNoRule()
    {
        Assert.DoesNotContain(Catalog.Rules, r => r.Product == "windows-server-system" && r.UsesPort(25, Transport.Udp));
        Assert.DoesNotContain(Catalog.Rules, r => r.Product == "windows-server-system" && r.UsesPort(636, Transport.Udp));
        Assert.DoesNotContain(Catalog.Rules, r => r.Product == "windows-server-system" && r.UsesPort(42, Transport.Udp));
    }

    [Fact]
    public void EndpointMapperShorthandExpandsToTheMapperAndTheRange()
    {
        var epm = Catalog.Rules.Single(r => r.Id == "kb832017-domain-controller-dcerpc-epm");
        var dynamic = Catalog.Rules.Single(r => r.Id == "kb832017-domain-controller-dcerpc-dynamic");
        var lync = Catalog.Rules.Single(r => r.Id == "lync-fe-dcom-dynamic");

        Assert.Equal(("epm", false, "135"), (epm.Protocol, epm.DynamicRange, Assert.Single(epm.Ports).ToString()));
        Assert.Equal(("dcerpc-dynamic", true, "49152-65535"), (dynamic.Protocol, dynamic.DynamicRange, Assert.Single(dynamic.Ports).ToString()));
        Assert.Equal("49152-65535", Assert.Single(lync.Ports).ToString());
        Assert.Contains(Catalog.Rules, r => r.Id == "kb832017-domain-controller-dcom-udp-dynamic" && r.Transports.SequenceEqual([Transport.Udp]) && r.DynamicRange);
    }

    /// <summary>A factory of the role set of a named host with <paramref name="role"/>, for an index.</summary>
    private static Func<RuleIndex, RoleSet> CreateSet(string role) => index => index.RoleSetOf(role);
}
