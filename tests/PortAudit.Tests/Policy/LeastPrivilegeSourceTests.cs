using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Policy;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Policy;

/// <summary>
/// An allowed port is not an allowed conversation: <c>policy emit</c> writes no rule from any source to any destination,
/// and opens an internal host to any source only where the inventory publishes the service, on every inventory the
/// repository ships.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class LeastPrivilegeSourceTests
{
    public static TheoryData<string> Inventories()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(SharedData.InRepository("tests/PortAudit.Tests/Scenarios/Inventories"), "*.yaml")
                     .Concat(Directory.GetFiles(SharedData.InRepository("captures"), "*.yaml")).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(SharedData.InRepository("."), path).Replace('\\', '/'));
        return data;
    }

    private static (Inventory Inventory, IReadOnlyList<AllowRule> Rules) Emit(string relative)
    {
        var catalog = ScenarioAudit.RepositoryCatalog;
        var inventory = InventoryLoader.Load(SharedData.InRepository(relative), catalog);
        return (inventory, LeastPrivilege.For(AuditContext.Create(catalog, inventory)));
    }

    [Theory]
    [MemberData(nameof(Inventories))]
    public void No_rule_admits_any_source_unless_its_destination_is_published_or_faces_the_Internet(string relative)
    {
        var (inventory, rules) = Emit(relative);
        var catalog = ScenarioAudit.RepositoryCatalog.Rules.ToDictionary(r => r.Id);

        Assert.NotEmpty(rules);
        foreach (var rule in rules.Where(r => r.From is null))
        {
            Assert.True(rule.To is not null, $"{relative}: {rule.CatalogRule} admits any source to any destination");
            var server = Assert.Single(inventory.Hosts, h => h.Name == rule.ToHost);
            var catalogRule = catalog[rule.CatalogRule];
            bool published = server.Publishes(catalogRule);
            // Only a rule its document writes for the Internet (the Edge's external side, the reverse proxy) is open
            // without publication, and never to an internal host.
            Assert.True(published || (!catalogRule.PublishedOnly && inventory.ZoneOf(server) != "internal"),
                $"{relative}: {rule.CatalogRule} admits any source to {rule.ToHost}, which does not publish it");
        }
    }

    [Fact]
    public void The_ics_row_is_no_longer_an_open_ftp_port()
    {
        var nft = PolicyEmitter.Write(Emit("captures/lab.yaml").Rules, "nftables");

        Assert.DoesNotContain("\t\ttcp dport 21 accept", nft, StringComparison.Ordinal);
        Assert.DoesNotContain("kb832017-ics-gateway-ftp-tcp-21", nft, StringComparison.Ordinal);
        // The stateful return path and loopback stay.
        Assert.Contains("ct state established,related accept", nft, StringComparison.Ordinal);
        Assert.Contains("iif \"lo\" accept", nft, StringComparison.Ordinal);
    }

    [Fact]
    public void An_internal_wildcard_client_side_is_the_inventory_s_internal_segments()
    {
        var (_, rules) = Emit("tests/PortAudit.Tests/Scenarios/Inventories/windows-domain.yaml");

        var kerberos = rules.First(r => r.CatalogRule == "kb832017-domain-controller-kerberos-tcp-88");
        Assert.NotNull(kerberos.From);
        Assert.Contains(kerberos.From!, p => !p.IsSingleAddress);
    }
}
