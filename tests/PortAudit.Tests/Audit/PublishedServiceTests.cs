using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Sources.Records;
using PortAudit.Tests.Catalog;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// An allowed port is not an allowed conversation: a listener row (<c>external: published</c>) admits the Internet only to
/// hosts the inventory publishes it on, by protocol or rule id; named hosts keep what the rule gives them.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class PublishedServiceTests
{
    private const string Site = """
        segments:
          - name: lan
            cidrs: [10.0.0.0/16]
            zone: internal
        hosts:
          - name: ts01
            addresses: [10.0.1.10]
            roles: [terminal-server]
          - name: web01
            addresses: [10.0.1.20]
            roles: [iis-web-server, terminal-server]
            published: [https, kb832017-terminal-server-rdp-tcp-3389]
          - name: clients
            cidrs: [10.0.8.0/22]
            roles: [workstation]
        """;

    [Fact]
    public void TheInternetReachesAListenerOnlyWhereTheInventoryPublishesIt()
    {
        var auditor = RepositoryAuditor(Site);

        var unpublished = auditor.Audit(Established("203.0.113.9", "10.0.1.10", 3389));
        Assert.Equal(Verdict.Unexpected, unpublished.Verdict);
        // Published by rule id and by protocol.
        Assert.Equal(("kb832017-terminal-server-rdp-tcp-3389", Verdict.Expected),
            (auditor.Audit(Established("203.0.113.9", "10.0.1.20", 3389)).Rule?.Id, auditor.Audit(Established("203.0.113.9", "10.0.1.20", 3389)).Verdict));
        Assert.Equal(Verdict.Expected, auditor.Audit(Established("198.51.100.7", "10.0.1.20", 443)).Verdict);
        // Publishing HTTPS publishes nothing else: web01's HTTP stays closed to the Internet.
        Assert.Equal(Verdict.Unexpected, auditor.Audit(Established("198.51.100.7", "10.0.1.20", 80)).Verdict);
    }

    [Fact]
    public void NamedInternalClientsNeedNoPublication()
    {
        var auditor = RepositoryAuditor(Site);

        Assert.Equal(Verdict.Expected, auditor.Audit(Established("10.0.8.5", "10.0.1.10", 3389)).Verdict);
    }

    [Fact]
    public void RulesWrittenForTheInternetStayOpenToIt()
    {
        var rules = ScenarioAudit.RepositoryCatalog.Rules.ToDictionary(r => r.Id);

        // The Edge's external interface, the reverse proxy's public listener and federation are the Internet's by their documents.
        foreach (var id in new[] { "lync-edge-ext-sip-clients", "lync-rp-internal-https", "fed-sip-srv-5061", "mis-browse-https" })
            Assert.False(rules[id].PublishedOnly, id);
        // Every KB832017 row that admits the Internet is a listener row.
        var kb = rules.Values.Where(r => r.Product == "windows-server-system" && r.From.Contains("any@external")).ToList();
        Assert.NotEmpty(kb);
        Assert.All(kb, r => Assert.True(r.PublishedOnly, r.Id));
    }

    [Fact]
    public void AnUnknownPublishedWordIsAnErrorAtItsPlace()
    {
        string yaml = Site.Replace("published: [https, ", "published: [htps, ");
        var path = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            var ex = Assert.Throws<InventoryException>(() => InventoryLoader.Load(path, ScenarioAudit.RepositoryCatalog));
            var error = Assert.Single(ex.Errors);
            var lines = yaml.Split('\n');
            int line = Array.FindIndex(lines, l => l.Contains("htps")) + 1;
            int column = lines[line - 1].IndexOf("htps", StringComparison.Ordinal) + 1;
            Assert.Equal((line, column), (error.Line, error.Column));
            Assert.StartsWith("unknown published service 'htps'", error.Problem);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ExternalTakesOnlyPublishedAndNeedsAWildcardClientSide()
    {
        string bad = TempCatalog.ValidRules.Replace("    protocol: epm\n", "    protocol: epm\n    external: open\n");
        string roleOnly = TempCatalog.ValidRules.Replace("    conditions: [federation]\n", "    conditions: [federation]\n    external: published\n");
        string good = TempCatalog.ValidRules.Replace("    protocol: epm\n", "    protocol: epm\n    external: published\n");

        using (var catalog = new TempCatalog(bad))
            Assert.Contains("bad value 'open' for 'external'", Assert.Single(Assert.Throws<CatalogException>(() => CatalogLoader.Load(catalog.Dir)).Errors).Problem);
        using (var catalog = new TempCatalog(roleOnly))
            Assert.Contains("needs a wildcard", Assert.Single(Assert.Throws<CatalogException>(() => CatalogLoader.Load(catalog.Dir)).Errors).Problem);
        using (var catalog = new TempCatalog(good))
            Assert.Equal([false, true], CatalogLoader.Load(catalog.Dir).Rules.Select(r => r.PublishedOnly));
    }
}
