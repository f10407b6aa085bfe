using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Catalog;

/// <summary>Loading names, as warnings, the rule protocols no inspector can confirm.</summary>
[Trait("Tier", "unit")]
public class ProtocolLabelCheckTests
{
    [Fact]
    public void ProtocolsInspectionConfirmsLoadWithoutWarnings()
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules);

        Assert.Empty(CatalogLoader.Load(catalog.Dir).Warnings);
    }

    [Fact]
    public void AProtocolWithoutLabelsIsAWarningAtItsFirstRuleOnly()
    {
        string rules = TempCatalog.ValidRules.Replace("protocol: sip-tls", "protocol: qotd").Replace("protocol: epm", "protocol: qotd");
        using var catalog = new TempCatalog(rules);

        var loaded = CatalogLoader.Load(catalog.Dir);

        Assert.Equal(2, loaded.Rules.Count);
        var warning = Assert.Single(loaded.Warnings);
        Assert.Equal((9, 15), (warning.Line, warning.Column));
        Assert.StartsWith("protocol 'qotd' has no application label", warning.Problem);
        Assert.Single(loaded.WithDynamicRange(new PortRange(5000, 5100)).Warnings);
    }

    [Fact]
    public void EveryLabelOfTheProtocolTableIsOneAnInspectorProduces()
    {
        foreach (var protocol in new[] { "sip-tls", "epm", "ldap", "netbios-ssn", "rtp", "isakmp", "smtp", "ms-turn", "ms-turn-tcp", "ldaps" })
            Assert.All(ProtocolLabels.For(protocol)!, label => Assert.Contains(label, Inspectors.Labels));
        foreach (var protocol in new[] { "ftp", "ftp-data", "ncacn-http" })
            Assert.All(ProtocolLabels.For(protocol)!, label => Assert.Contains(label, Inspectors.Labels));
        // No inspector labels QOTD, and nothing any inspector labels is QOTD: any label found there contradicts it.
        Assert.Empty(ProtocolLabels.For("qotd")!);
        Assert.Null(ProtocolLabels.For("olap"));
    }

    [Fact]
    public void TheRepositoryCatalogLoadsWithWarningsForPortOnlyProtocols()
    {
        var loaded = CatalogLoader.Load(SharedData.InRepository("rules"));

        Assert.Contains(loaded.Warnings, w => w.Problem.StartsWith("protocol 'qotd' ", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.Warnings, w => w.Problem.StartsWith("protocol 'telnet' ", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.Warnings, w => w.Problem.StartsWith("protocol 'sip-tls' ", StringComparison.Ordinal));
        // The RPC over HTTP endpoint mapper (593) is ncacn_http: after the server's greeting its PDUs are DCE/RPC's.
        Assert.DoesNotContain(loaded.Warnings, w => w.Problem.StartsWith("protocol 'ncacn-http' ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ms-turn-tcp", "tls", false), InlineData("ms-turn-tcp", "stun", true), InlineData("ms-turn-tcp", "http", false)]
    [InlineData("ldaps", "tls", true), InlineData("ldaps", "ldap", false)]
    public void CatalogProtocolsAcceptWhatTheirWireShows(string protocol, string label, bool accepted) =>
        Assert.Equal(accepted, ProtocolLabels.For(protocol)!.Contains(AppLabel.Of(label)));

    [Fact]
    public void QuicContradictsEveryUdpRule()
    {
        // No catalog protocol names QUIC or runs over it: on a UDP rule whose protocol has labels (stun, rtp, dns...) a
        // QUIC flow is a protocol-mismatch, and so it is on one inspection cannot otherwise judge (cluster, mms...).
        var udp = CatalogLoader.Load(SharedData.InRepository("rules")).Rules.Where(r => r.Transports.Contains(Transport.Udp)).ToList();
        Assert.Contains(udp, r => r.Protocol == "stun");
        Assert.Contains(udp, r => ProtocolLabels.For(r.Protocol) is null);
        Assert.All(udp, r => Assert.False(ProtocolExpectations.Accepts(r.Protocol, AppLabel.Quic), r.Id));
    }

    [Theory]
    [InlineData("ssh"), InlineData("wireguard"), InlineData("openvpn"), InlineData("socks"), InlineData("http-proxy"), InlineData("quic")]
    public void ATunnelOrProxyNoDocumentNamesIsAllowedOnlyByARuleThatNamesIt(string protocol)
    {
        var label = AppLabel.Of(protocol);
        Assert.Contains(label, ProtocolLabels.OutsideTheDocuments);
        Assert.Contains(label, Inspectors.Labels);
        // A site's catalog may allow it by name (a jump host's SSH, the forward proxy its servers use)...
        Assert.True(ProtocolExpectations.Accepts(protocol, label));
        Assert.True(ProtocolExpectations.Confirms(protocol, label));
        // ...and it contradicts what the documents name, judged or port-only.
        Assert.False(ProtocolExpectations.Accepts("http", label));
        Assert.False(ProtocolExpectations.Accepts("olap", label));
        // Nothing else passes for it.
        Assert.False(ProtocolExpectations.Accepts(protocol, AppLabel.Http));
    }
}
