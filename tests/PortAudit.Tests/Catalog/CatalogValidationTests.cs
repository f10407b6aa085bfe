using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Catalog;

[Trait(Tier.Name, Tier.Unit)]
public class CatalogValidationTests
{
    private static CatalogException LoadBroken(string rules)
    {
        using var catalog = new TempCatalog(rules);
        return Assert.Throws<CatalogException>(() => CatalogLoader.Load(catalog.Dir));
    }

    /// <summary>Loads a catalog with one mistake and checks the single error and its place in the message.</summary>
    private static void AssertSingleError(string rules, int line, int column, string problem)
    {
        var ex = LoadBroken(rules);

        var error = Assert.Single(ex.Errors);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal(problem, error.Problem);
        Assert.Contains($"rules/test.yaml:{line}:{column}: {problem}", ex.Message.Replace('\\', '/'));
    }

    private static string Replace(string find, string replacement)
    {
        Assert.Contains(find, TempCatalog.ValidRules);
        return TempCatalog.ValidRules.Replace(find, replacement);
    }

    [Fact]
    public void ValidCatalogLoadsAllRules()
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules);
        var loaded = CatalogLoader.Load(catalog.Dir);

        Assert.Equal(["demo-sip", "demo-rpc"], loaded.Rules.Select(r => r.Id));
        var rpc = loaded.Rules[1];
        Assert.Equal([Transport.Tcp, Transport.Udp], rpc.Transports);
        Assert.Equal([new PortRange(135, 135), new PortRange(5000, 5020)], rpc.Ports);
        Assert.Equal("doc.txt", rpc.Source.File);
        Assert.Equal("demo", rpc.Product);
    }

    [Fact]
    public void UnknownRoleIsReportedAtItsValue() =>
        AssertSingleError(Replace("    to: server\n    transport: tcp", "    to: nobody\n    transport: tcp"),
            6, 9, "unknown role 'nobody' (define it in roles.yaml)");

    [Fact]
    public void UnknownFeatureIsReportedAtItsValue() =>
        AssertSingleError(Replace("conditions: [federation]", "conditions: [federation, telepathy]"),
            10, 30, "unknown feature 'telepathy' (define it in features.yaml)");

    [Theory]
    [InlineData("ports: 70000", "bad port 70000: outside 1-65535")]
    [InlineData("ports: 0", "bad port 0: outside 1-65535")]
    [InlineData("ports: sip", "bad port 'sip': not a number")]
    [InlineData("ports: -1", "bad port '-1': expected a port from 1 to 65535 or LOW-HIGH")]
    [InlineData("ports: 99999999999", "bad port 99999999999: outside 1-65535")]
    public void BadPortIsReportedAtItsValue(string ports, string problem) =>
        AssertSingleError(Replace("ports: 5061", ports), 8, 12, problem);

    [Theory]
    [InlineData("5020-5000", "bad port range '5020-5000': 5020 is above 5000")]
    [InlineData("5000-5020-5040", "bad port range '5000-5020-5040': expected LOW-HIGH")]
    [InlineData("5000-99999", "bad port 99999: outside 1-65535")]
    public void BadRangeIsReportedAtTheListItem(string range, string problem) =>
        AssertSingleError(Replace("5000-5020", range), 18, 18, problem);

    [Fact]
    public void DuplicateIdAcrossFilesNamesBothPlaces()
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules);
        catalog.Add("zz-other.yaml", TempCatalog.ValidRules.Replace("demo-rpc", "demo-other"));

        var ex = Assert.Throws<CatalogException>(() => CatalogLoader.Load(catalog.Dir));

        var error = Assert.Single(ex.Errors);
        Assert.EndsWith("zz-other.yaml", error.File);
        Assert.Equal((4, 9), (error.Line, error.Column));
        Assert.Contains("zz-other.yaml:4:9: duplicate id 'demo-sip' (first defined at rules", ex.Message.Replace('\\', '/'));
        Assert.Contains("test.yaml:4:9)", ex.Message.Replace('\\', '/'));
    }

    [Fact]
    public void MalformedYamlIsReportedWithItsPosition()
    {
        var ex = LoadBroken(Replace("    protocol: epm", "    protocol: [epm"));

        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("malformed YAML", error.Problem);
        Assert.Equal(19, error.Line);
        Assert.Contains($"test.yaml:{error.Line}:{error.Column}: malformed YAML", ex.Message.Replace('\\', '/'));
    }

    [Fact]
    public void YamlSyntaxErrorIsReportedOnItsLine()
    {
        var ex = LoadBroken(Replace("    protocol: sip-tls", "    protocol: sip: tls"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(9, error.Line);
        Assert.Contains($"test.yaml:9:{error.Column}: malformed YAML: ", ex.Message.Replace('\\', '/'));
    }

    [Fact]
    public void EveryErrorIsReportedNotJustTheFirst()
    {
        var rules = Replace("    to: server\n    transport: tcp", "    to: nobody\n    transport: tcp")
            .Replace("5000-5020", "5020-5000")
            .Replace("conditions: [federation]", "conditions: [telepathy]");

        var ex = LoadBroken(rules);

        Assert.Equal(3, ex.Errors.Count);
        var lines = ex.Message.Split(Environment.NewLine);
        Assert.Equal("invalid catalog: 3 errors", lines[0]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void MisspeltFieldAndUnknownTransportAreReported()
    {
        var ex = LoadBroken(Replace("    protocol: sip-tls", "    protcol: sip-tls").Replace("transport: both", "transport: sctp"));

        Assert.Contains(ex.Errors, e => e.Problem.StartsWith("unknown field 'protcol'") && e.Line == 9);
        Assert.Contains(ex.Errors, e => e.Problem == "missing field 'protocol'");
        Assert.Contains(ex.Errors, e => e.Problem.StartsWith("unknown transport 'sctp'") && e.Line == 17);
    }

    [Fact]
    public void IpProtocolRuleMustNotListPorts()
    {
        var ex = LoadBroken(Replace("transport: tcp", "transport: esp"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("transport esp has no ports; remove 'ports'", error.Problem);
    }

    [Theory]
    [InlineData("transport: tcp\n    ports: 5061", "transport: tcp\n    ports: []", "tcp")]
    [InlineData("transport: tcp\n    ports: 5061", "transport: udp\n    ports: [ ]", "udp")]
    public void PortRuleWithAnEmptyPortListIsAnError(string find, string replacement, string transport) =>
        AssertSingleError(Replace(find, replacement), 8, 12,
            $"field 'ports' is empty: transport {transport} needs at least one port or range");

    [Fact]
    public void UnknownRoleInRolesFileIsNotNeededButDuplicateRoleIsAnError()
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules, roles: TempCatalog.Roles + "\n  - id: client\n    description: Again.\n");

        var ex = Assert.Throws<CatalogException>(() => CatalogLoader.Load(catalog.Dir));

        var error = Assert.Single(ex.Errors);
        Assert.EndsWith("roles.yaml", error.File);
        Assert.StartsWith("duplicate id 'client'", error.Problem);
    }

    [Fact]
    public void MissingDirectoryIsAnInputError()
    {
        var ex = Assert.Throws<CatalogException>(() => CatalogLoader.Load(Path.Combine(Path.GetTempPath(), "no-such-catalog-" + Guid.NewGuid())));

        Assert.Contains("catalog directory not found", ex.Message);
        Assert.IsAssignableFrom<InputException>(ex);
    }

    [Fact]
    public void AFileGivenAsTheCatalogIsSaidToBeOne()
    {
        using var directory = new TempDirectory();
        string file = directory.File("roles.yaml");
        File.WriteAllText(file, "roles: []\n");

        var ex = Assert.Throws<CatalogException>(() => CatalogLoader.Load(file));

        Assert.Contains($"{file}:1:1: catalog directory expected, found a file", ex.Message);
    }
}
