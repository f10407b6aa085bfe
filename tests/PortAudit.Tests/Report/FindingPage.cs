using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Report;
using PortAudit.Report.Html;

namespace PortAudit.Tests.Report;

/// <summary>report.html of findings made up for a test, over the lab's catalog and inventory and no traffic.</summary>
internal static class FindingPage
{
    /// <summary>Writes the page of <paramref name="findings"/> into <paramref name="directory"/>; returns its path.</summary>
    public static string Write(string directory, IReadOnlyList<Finding> findings)
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        var summary = new AuditSummary(findings.Count, 0, new Dictionary<Verdict, long>(),
            findings.GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => g.Count()), new CoverageCounts(0, 0, 0, 0, 0));
        string path = Path.Combine(directory, HtmlReport.FileName);
        using (var output = File.Create(path))
            HtmlReport.Write(output, new AuditReport(summary, findings, [], []), new AuditInputs(["/data/estate.pcap"], 0, 0, "estate.yaml", "rules", context));
        return path;
    }
}
