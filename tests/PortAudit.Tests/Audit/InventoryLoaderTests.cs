using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Audit;

[Trait(Tier.Name, Tier.Unit)]
public class InventoryLoaderTests
{
    private static InventoryException LoadBroken(string yaml, out string path)
    {
        path = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            var file = path;
            return Assert.Throws<InventoryException>(() => InventoryLoader.Load(file, AuditFixture.Catalog));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Line and 1-based column of the <paramref name="occurrence"/>-th <paramref name="token"/> in <paramref name="yaml"/>.</summary>
    private static (int Line, int Column) Spot(string yaml, string token, int occurrence = 1)
    {
        var lines = yaml.Split('\n');
        for (int i = 0, seen = 0; i < lines.Length; i++)
        {
            int column = lines[i].IndexOf(token, StringComparison.Ordinal);
            if (column >= 0 && ++seen == occurrence)
                return (i + 1, column + 1);
        }
        throw new ArgumentException($"'{token}' not in the inventory");
    }

    private static void AssertSingleError(string yaml, string token, string problem, int occurrence = 1)
    {
        var ex = LoadBroken(yaml, out var path);
        var error = Assert.Single(ex.Errors);
        var (line, column) = Spot(yaml, token, occurrence);
        Assert.Equal(problem, error.Problem);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal($"invalid inventory: {path}:{line}:{column}: {problem}", ex.Message);
    }

    private static string Replace(string find, string replacement)
    {
        Assert.Contains(find, AuditFixture.InventoryYaml);
        return AuditFixture.InventoryYaml.Replace(find, replacement);
    }

    [Fact]
    public void ValidInventoryLoadsHostsSegmentsAndIgnoreList()
    {
        var inventory = AuditFixture.LoadInventory();

        Assert.Equal(["dc01", "sip01", "clients"], inventory.Hosts.Select(h => h.Name));
        Assert.Equal(["workstation"], inventory.Hosts[2].Roles);
        Assert.Equal("perimeter", Assert.Single(inventory.Segments).Name);
        Assert.True(inventory.IsIgnored(Address("10.0.8.255")));
        Assert.Null(inventory.RpcDynamicPorts);
    }

    [Fact]
    public void AHostEntryOverridesTheSubnetItSitsIn()
    {
        var inventory = AuditFixture.LoadInventory(
            Replace("hosts:\n", "hosts:\n  - name: jump\n    addresses: [10.0.8.9]\n    roles: [domain-controller]\n"));

        Assert.Equal("jump", inventory.FindHost(Address("10.0.8.9"))?.Name);
        Assert.Equal("clients", inventory.FindHost(Address("10.0.8.10"))?.Name);
        Assert.Null(inventory.FindHost(Address(AuditFixture.Dmz)));
        Assert.Equal("perimeter", inventory.FindSegment(Address(AuditFixture.Dmz))?.Name);
    }

    [Fact]
    public void FeaturesAndTheRpcRangeShapeTheRules()
    {
        var inventory = AuditFixture.LoadInventory(AuditFixture.InventoryYaml + "\nfeatures: [federation]\nrpcDynamicPorts: 5000-5020\n");
        var context = AuditContext.Create(AuditFixture.Catalog, inventory);

        Assert.Equal(["federation"], inventory.Features);
        Assert.Contains(context.Index.Rules, r => r.Id == "federation");
        Assert.Equal([new PortRange(5000, 5020)], context.Index.Rules.Single(r => r.Id == "rpc-dynamic").Ports);
        Assert.DoesNotContain(AuditContext.Create(AuditFixture.Catalog, AuditFixture.LoadInventory()).Index.Rules, r => r.Id == "federation");
    }

    [Fact]
    public void UnknownRoleIsReportedAtItsValue() =>
        AssertSingleError(Replace("roles: [sip-server]", "roles: [sip-server, pbx]"), "pbx",
            "unknown role 'pbx' (roles are defined in the catalog's roles.yaml)");

    [Fact]
    public void TheWildcardRoleCannotBeGiven() =>
        AssertSingleError(Replace("roles: [sip-server]", "roles: [any]"), "any]",
            "role 'any' is the catalog's wildcard and cannot be given to a host");

    [Fact]
    public void UnknownFeatureIsReportedAtItsValue()
    {
        var yaml = AuditFixture.InventoryYaml + "\nfeatures: [federation, telepathy]\n";
        AssertSingleError(yaml, "telepathy", "unknown feature 'telepathy' (features are defined in the catalog's features.yaml)");
    }

    [Fact]
    public void BadAddressIsReportedAtItsValue() =>
        AssertSingleError(Replace("addresses: [10.0.1.20]", "addresses: [10.0.1.300]"), "10.0.1.300",
            "bad address '10.0.1.300': expected an IPv4 or IPv6 address, optionally with /PREFIX");

    [Fact]
    public void BadPrefixIsReportedAtItsValue() =>
        AssertSingleError(Replace("cidrs: [10.0.8.0/22]", "cidrs: [10.0.8.1/22]"), "10.0.8.1/22",
            "bad prefix '10.0.8.1/22': host bits are set beyond /22 (did you mean 10.0.8.0/22?)");

    [Fact]
    public void SameAddressWithOtherRolesIsAConflictNamingTheFirstEntry()
    {
        var yaml = Replace("segments:", "  - name: dc-alias\n    addresses: [10.0.1.10]\n    roles: [sip-server]\nsegments:");
        AssertSingleError(yaml, "10.0.1.10", "'10.0.1.10' is also given to host 'dc01' (line 3) with other roles: " +
            "[domain-controller] against [sip-server]", occurrence: 2);
    }

    [Fact]
    public void SameAddressWithTheSameRolesIsNoConflict()
    {
        var inventory = AuditFixture.LoadInventory(
            Replace("segments:", "  - name: dc-alias\n    addresses: [10.0.1.10]\n    roles: [domain-controller]\nsegments:"));
        Assert.Equal("dc01", inventory.FindHost(Address(AuditFixture.Dc))?.Name);
    }

    [Fact]
    public void SamePrefixInTwoSegmentsIsAConflict()
    {
        var yaml = Replace("ignore:", "  - name: dmz\n    cidrs: [172.16.0.0/24]\nignore:");
        AssertSingleError(yaml, "172.16.0.0/24",
            $"'172.16.0.0/24' is also in segment 'perimeter' (line {Spot(yaml, "172.16.0.0/24").Line})", occurrence: 2);
    }

    [Fact]
    public void UnknownFieldIsReported() =>
        AssertSingleError(Replace("roles: [sip-server]", "roles: [sip-server]\n    owner: voice team"), "owner",
            "unknown field 'owner' (expected one of: name, addresses, cidrs, roles, zone, rpcDynamicPorts, features, published)");

    [Fact]
    public void BadRpcRangeIsReportedAtItsValue() =>
        AssertSingleError(AuditFixture.InventoryYaml + "\nrpcDynamicPorts: 5020-5000\n", "5020-5000",
            "rpcDynamicPorts: bad port range '5020-5000': 5020 is above 5000");

    [Fact]
    public void MalformedYamlIsReportedWithAPlace()
    {
        var ex = LoadBroken(Replace("roles: [workstation]", "roles: [workstation"), out var path);
        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("malformed YAML", error.Problem);
        Assert.Equal(10, error.Line);
        Assert.StartsWith($"invalid inventory: {path}:{error.Line}:{error.Column}: malformed YAML", ex.Message);
    }

    [Fact]
    public void AnAliasRightAfterAFlowSequenceIsMalformedYamlNotACrash()
    {
        // Found by tools/fuzz: YamlDotNet's representation model threw ArgumentException ("unsupported event") here.
        var ex = LoadBroken(Replace("roles: [workstation]", "roles: [workstation]*a"), out var path);
        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("malformed YAML", error.Problem);
        Assert.StartsWith($"invalid inventory: {path}:{error.Line}:", ex.Message);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var yaml = Replace("roles: [sip-server]", "roles: [pbx]").Replace("addresses: [10.0.1.10]", "addresses: [10.0.1.x]");
        var ex = LoadBroken(yaml, out _);

        Assert.Equal(2, ex.Errors.Count);
        Assert.Equal([Spot(yaml, "10.0.1.x").Line, Spot(yaml, "pbx").Line], ex.Errors.Select(e => e.Line));
        Assert.StartsWith("invalid inventory: 2 errors", ex.Message);
    }

    [Fact]
    public void MissingFileIsAnInputError()
    {
        var ex = Assert.Throws<InventoryException>(() => InventoryLoader.Load("no-such-inventory.yaml", AuditFixture.Catalog));
        Assert.Equal("invalid inventory: no-such-inventory.yaml:1:1: inventory file not found", ex.Message);
        Assert.IsAssignableFrom<InputException>(ex);
    }

    [Fact]
    public void ADirectoryGivenAsTheInventoryIsSaidToBeOne()
    {
        using var directory = new TempDirectory();
        var ex = Assert.Throws<InventoryException>(() => InventoryLoader.Load(directory.Root, AuditFixture.Catalog));
        Assert.Equal($"invalid inventory: {directory.Root}:1:1: inventory file expected, found a directory", ex.Message);
    }

    private static IpAddr Address(string text)
    {
        Assert.True(IpAddr.TryParse(text, out var address));
        return address;
    }
}
