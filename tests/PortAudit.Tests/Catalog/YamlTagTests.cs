using System.Text;
using PortAudit.Catalog;
using PortAudit.Tests.Audit;

namespace PortAudit.Tests.Catalog;

/// <summary>
/// YAML tags in an inventory or a catalog: the core tags that say what a node already is are read as if absent (a
/// tagged key is the same key), and any tag that would change what a node means is refused at its place.
/// </summary>
[Trait("Tier", "unit")]
public sealed class YamlTagTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-yaml-tags");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir.FullName, "inventory.yaml");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(yaml));
        return path;
    }

    [Fact]
    public void CoreTagsThatSayWhatANodeIsReadAsIfAbsent()
    {
        // YamlDotNet compares keys with their tags: before, `!!str name` was not `name` and this host was missing its name.
        var inventory = InventoryLoader.Load(Write(
            "hosts: !!seq\n  - !!str name: !!str fe01\n    ! addresses: !!seq [!!str 10.77.0.10]\n    roles: [!!str sip-server]\n"),
            AuditFixture.Catalog);
        var host = Assert.Single(inventory.Hosts);
        Assert.Equal("fe01", host.Name);
        Assert.Equal(["sip-server"], host.Roles);
        Assert.Equal("10.77.0.10", Assert.Single(host.Prefixes).ToString());
    }

    [Theory]
    [InlineData("  - name: !!binary aGVsbG8=\n", 2, 11, "YAML tag '!!binary' on a value")]
    [InlineData("  - name: !!null fe01\n", 2, 11, "YAML tag '!!null' on a value")]
    [InlineData("  - name: !thing fe01\n", 2, 11, "YAML tag '!thing' on a value")]
    [InlineData("  - !!map [fe01]\n", 2, 5, "YAML tag '!!map' on a list")]
    public void OtherTagsAreRefusedAtTheirPlace(string hostLine, int line, int column, string problem)
    {
        var path = Write("hosts:\n" + hostLine);
        var ex = Assert.Throws<InventoryException>(() => InventoryLoader.Load(path, AuditFixture.Catalog));
        var error = Assert.Single(ex.Errors);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith(problem + " is not read here", error.Problem);
    }
}
