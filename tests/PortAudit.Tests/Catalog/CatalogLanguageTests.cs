using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Catalog;

/// <summary>The rule-file language: role lists, scoped wildcards, zones, unless, oneOf, product features and the rpc shorthand.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class CatalogLanguageTests
{
    private const string Features = """
        features:
          - id: federation
            description: Federation.
          - id: unity.https-disabled
            description: Cisco Unity's web pages are served over HTTP only.
        """;

    private static RoleCatalog Load(string rules, string? zones = null)
    {
        using var dir = new TempCatalog(rules, features: Features);
        if (zones is not null) dir.Add(CatalogLoader.ZonesFile, zones);
        return CatalogLoader.Load(dir.Dir);
    }

    private static CatalogException Fails(string rules, string? zones = null) => Assert.Throws<CatalogException>(() => Load(rules, zones));

    private static string Rule(string body) => $"""
        product: demo
        sourceFile: doc.txt
        rules:
          - id: demo
        {body}
            source:
              section: Ports
              row: "row"
        """;

    [Fact]
    public void SidesTakeRoleListsAndScopedWildcards()
    {
        var rule = Assert.Single(Load(Rule("""
                from: [client, any@perimeter]
                to: any@external
                transport: tcp
                ports: 443
                protocol: tls
            """)).Rules);

        Assert.Equal(["client", "any@perimeter"], rule.From.Selectors);
        Assert.Equal("[client, any@perimeter]", rule.From.ToString());
        Assert.Equal("any@external", rule.To.ToString());
        Assert.True(rule.From.HasWildcard);
        Assert.Equal(["client"], rule.From.Roles);
    }

    [Fact]
    public void UnknownZoneAndUnknownRoleInAListAreReportedAtTheirPlace()
    {
        var error = Fails(Rule("""
                from: [client, any@dmz, ghost]
                to: server
                transport: tcp
                ports: 443
                protocol: tls
            """));

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Problem.StartsWith("unknown zone 'dmz' in 'any@dmz'", StringComparison.Ordinal) && e.Column > 0);
        Assert.Contains(error.Errors, e => e.Problem == "unknown role 'ghost' (define it in roles.yaml)");
    }

    [Fact]
    public void ZonesFileDefinesTheZonesRulesMayName()
    {
        const string zones = """
            zones:
              - id: internal
                description: Inside.
              - id: partners
                description: Partner networks.
                listed: false
            """;
        var catalog = Load(Rule("""
                from: any@partners
                to: server
                transport: tcp
                ports: 443
                protocol: tls
            """), zones);

        Assert.Equal(["internal", "partners"], catalog.Zones.Select(z => z.Id));
        Assert.False(catalog.FindZone("partners")!.Listed);
        Assert.Contains(Fails(Rule("""
                from: any@external
                to: server
                transport: tcp
                ports: 443
                protocol: tls
            """), zones).Errors, e => e.Problem.StartsWith("unknown zone 'external'", StringComparison.Ordinal));
    }

    [Fact]
    public void UnlessAndProductScopedFeaturesDecideWhetherARuleApplies()
    {
        var rule = Assert.Single(Load(Rule("""
                from: client
                to: server
                transport: tcp
                ports: 443
                protocol: https
                unless: [unity.https-disabled]
            """)).Rules);

        Assert.Equal(["unity.https-disabled"], rule.Unless);
        Assert.True(rule.AppliesTo([]));
        Assert.True(rule.AppliesTo(["federation"]));
        Assert.False(rule.AppliesTo(["unity.https-disabled"]));
    }

    [Fact]
    public void AFeatureCannotBeBothConditionAndException()
    {
        var error = Fails(Rule("""
                from: client
                to: server
                transport: tcp
                ports: 443
                protocol: https
                conditions: [federation]
                unless: [federation]
            """));

        Assert.Contains(error.Errors, e => e.Problem.Contains("both a condition and in 'unless'", StringComparison.Ordinal));
    }

    [Fact]
    public void OneOfNamesTheGroupOfAlternatives()
    {
        var rule = Assert.Single(Load(Rule("""
                from: client
                to: server
                transport: tcp
                ports: 5067
                protocol: sip-tls
                oneOf: mediation-gateway-in
            """)).Rules);

        Assert.Equal("mediation-gateway-in", rule.OneOf);
    }

    [Fact]
    public void RpcShorthandIsTheEndpointMapperThenTheDynamicRange()
    {
        var rules = Load(Rule("""
                from: client
                to: server
                rpc: 5000-5020
                required: false
            """)).Rules;

        Assert.Equal(["demo-epm", "demo-dynamic"], rules.Select(r => r.Id));
        Assert.Equal(("135", "epm", false, false), (rules[0].Ports.Single().ToString(), rules[0].Protocol, rules[0].DynamicRange, rules[0].Required));
        Assert.Equal(("5000-5020", "dcerpc-dynamic", true, false), (rules[1].Ports.Single().ToString(), rules[1].Protocol, rules[1].DynamicRange, rules[1].Required));
        Assert.All(rules, r => Assert.Equal([Transport.Tcp], r.Transports));
    }

    [Fact]
    public void RpcShorthandRefusesPortsOfItsOwn()
    {
        var error = Fails(Rule("""
                from: client
                to: server
                rpc: 1024-65535
                ports: 135
            """));

        Assert.Contains(error.Errors, e => e.Problem.StartsWith("'ports' cannot be combined with 'rpc'", StringComparison.Ordinal));
    }
}
