using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Sources.Records;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Catalog;

/// <summary>
/// Roles that imply others (<c>implies</c> in roles.yaml): loaded and validated with the file's places, closed and
/// minimised by the catalog, and matched by the audit (a Front End takes the rules of lync-server).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RoleImplicationTests
{
    private const string Roles = """
        roles:
          - id: client
            description: A client.
          - id: server
            description: A server.
          - id: front-end
            description: A front end, also a server.
            implies: [server]
          - id: pool-master
            description: The front end holding the store.
            implies: front-end
        """;

    private static RoleCatalog Load(string roles)
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules, roles: roles);
        return CatalogLoader.Load(catalog.Dir);
    }

    private static CatalogError SingleError(string roles, string features = TempCatalog.Features)
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules, roles: roles, features: features);
        var error = Assert.Single(Assert.Throws<CatalogException>(() => CatalogLoader.Load(catalog.Dir)).Errors);
        return error;
    }

    private static string Chain(int length) =>
        "roles:\n  - id: client\n    description: c\n  - id: server\n    description: s\n" +
        string.Concat(Enumerable.Range(0, length).Select(i =>
            $"  - id: c{i}\n    description: link {i}\n" + (i + 1 < length ? $"    implies: [c{i + 1}]\n" : "")));

    [Fact]
    public void ImplicationsNestAtMostThirtyTwoDeep()
    {
        // Every role keeps the roles it implies: a chain of 30,000 took 4.7 GB, one of 100,000 overflowed the stack.
        var error = SingleError(Chain(40));
        Assert.Equal("'c31' implies 'c32' 33 roles down from 'c0': implications nest at most 32 deep", error.Problem);
        Assert.Equal(["c0", "c1", "c2"], Load(Chain(32)).Closure(["c0"]).Take(3));
    }

    [Fact]
    public void ACatalogDefinesAtMostAThousandRoles()
    {
        var error = SingleError(Chain(1000));
        Assert.Equal("1002 roles, more than the 1000 a catalog may define; 'c998' is the first past the limit", error.Problem);
    }

    [Fact]
    public void ClosureAddsWhatRolesImplyTransitivelyAndMinimalDropsIt()
    {
        var catalog = Load(Roles);

        Assert.Equal(["server"], catalog.FindRole("front-end")!.Implies);
        Assert.Equal(["pool-master", "server", "front-end"], catalog.Closure(["pool-master"]));
        Assert.Equal(["client", "front-end", "server"], catalog.Closure(["client", "front-end"]));
        Assert.Equal(["client"], catalog.Closure(["client"]));
        Assert.Equal(["pool-master"], catalog.Minimal(["server", "pool-master", "front-end"]));
        Assert.Equal(["client", "front-end"], catalog.Minimal(["client", "front-end", "server"]));
    }

    [Fact]
    public void UnknownImpliedRoleIsReportedAtItsValue()
    {
        var error = SingleError(Roles.Replace("implies: [server]", "implies: [server, sever]"));

        Assert.EndsWith("roles.yaml", error.File);
        Assert.Equal((8, 23), (error.Line, error.Column));
        Assert.Equal("unknown role 'sever' in 'implies' of 'front-end' (define it in roles.yaml): did you mean server?", error.Problem);
    }

    [Fact]
    public void CycleIsReportedOnceWhereItCloses()
    {
        var error = SingleError(Roles.Replace("description: A server.", "description: A server.\n    implies: pool-master"));

        Assert.EndsWith("roles.yaml", error.File);
        Assert.Equal(9, error.Line);
        Assert.Equal("roles imply each other in a cycle: server -> pool-master -> front-end -> server", error.Problem);
    }

    [Fact]
    public void RoleImplyingItselfIsACycle() =>
        Assert.Equal("roles imply each other in a cycle: client -> client",
            SingleError(Roles.Replace("description: A client.", "description: A client.\n    implies: client")).Problem);

    [Fact]
    public void FeaturesCannotImply() =>
        Assert.StartsWith("unknown field 'implies'",
            SingleError(Roles, TempCatalog.Features + "\n    implies: [federation]").Problem);

    [Fact]
    public void PartnerRolesAreLoadedAndTheFlagIsCheckedWhereWritten()
    {
        var catalog = Load(Roles.Replace("description: A client.", "description: A client.\n    partner: true"));
        Assert.True(catalog.FindRole("client")!.Partner);
        Assert.False(catalog.FindRole("server")!.Partner);

        var error = SingleError(Roles.Replace("description: A client.", "description: A client.\n    partner: yes"));
        Assert.Equal(4, error.Line);
        Assert.Equal("field 'partner' must be true or false, not 'yes'", error.Problem);
        Assert.StartsWith("unknown field 'partner'", SingleError(Roles, TempCatalog.Features + "\n    partner: true").Problem);
        // A features entry's partner field is unknown, whatever its value: one error, not a second on the value.
        Assert.StartsWith("unknown field 'partner'", SingleError(Roles, TempCatalog.Features + "\n    partner: yes").Problem);
    }

    [Fact]
    public void RepositoryCatalogMakesEveryInternalLyncServerALyncServer()
    {
        var catalog = ScenarioAudit.RepositoryCatalog;

        foreach (var role in new[] { "lync-front-end", "lync-director", "lync-mediation", "lync-persistent-chat", "lync-cms" })
            Assert.Contains("lync-server", catalog.Closure([role]));
        Assert.Equal(["lync-cms", "lync-front-end", "lync-server"], catalog.Closure(["lync-cms"]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("lync-server", catalog.Closure(["lync-edge-internal", "lync-sba"]));
    }

    [Fact]
    public void AuditMatchesAFrontEndWithTheRulesOfLyncServer()
    {
        // lab.yaml names fe01 [lync-front-end] only; the SQL Browser rule runs from the Edge to lync-server.
        var catalog = ScenarioAudit.RepositoryCatalog;
        var inventory = InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog);
        var fe01 = inventory.Hosts.Single(h => h.Name == "fe01");
        Assert.Equal(["lync-front-end"], fe01.Roles);
        Assert.Equal(["lync-front-end", "lync-server"], fe01.Plays);

        var report = ScenarioAudit.AuditFlows(catalog, inventory, [SharedData.InRepository("captures/lab.pcapng")], "lab.yaml").Report;

        Assert.Contains(report.Coverage, e => e.Rule.Id == "lync-sql-browser" && e.FromHost == "edge01" && e.ToHost == "fe01");
    }
}
