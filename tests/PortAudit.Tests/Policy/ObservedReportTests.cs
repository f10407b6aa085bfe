using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Policy;

/// <summary><c>policy emit --observed</c> given a report.json that is not one, or one with a coverage entry cut short.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ObservedReportTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"observed-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("{\"findings\": []}", "not the report.json of an audit: it has no 'coverage'")]
    [InlineData("{\"coverage\": [{\"status\": \"seen\", \"rule\": \"r\", \"fromHost\": \"a\"}]}", "coverage[0]: missing field 'toHost'")]
    [InlineData("{\"coverage\": [{\"status\": \"missing\"}, {\"status\": 3}]}", "coverage[1]: 'status' must be a text, is a number")]
    [InlineData("{\"coverage\": {}}", "the report: 'coverage' must be a list")]
    public void AFaultOfTheReportIsNamedWithItsPlace(string json, string problem)
    {
        // Before, a missing field was "not the report.json of an audit (The given key was not present in the dictionary.)".
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        File.WriteAllText(_path, json);
        var error = Assert.Throws<InputException>(() => LeastPrivilege.Plan(context, _path));
        Assert.Equal($"{_path}: {problem}", error.Message);
    }
}
