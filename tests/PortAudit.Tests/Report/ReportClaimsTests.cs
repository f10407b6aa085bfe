using System.Text.RegularExpressions;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Policy;
using PortAudit.Sources.Files;

namespace PortAudit.Tests.Report;

/// <summary>
/// What the reports for people claim (report.html's overview and sections, report.md, the console summary) against
/// report.json and the audit's own counts: each number and label says what the record says.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public partial class ReportClaimsTests(ReportClaimsTests.LabWithFirewall lab) : IClassFixture<ReportClaimsTests.LabWithFirewall>
{
    /// <summary>The lab's capture audited once with the Front End's own firewall (captures/lab-fe01.json), as docs/policy.md's worked example.</summary>
    public sealed class LabWithFirewall : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public LabWithFirewall()
        {
            var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
            var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
            var policy = PolicyLoader.Load(SharedData.InRepository("captures/lab-fe01.json"), PolicyFormat.NftJson, name: "fe01");
            using var run = new AuditRun(context, new AuditSettings { OutputDirectory = _dir.File(""), Firewalls = [policy] }, new FlowTableOptions());
            Report = run.Run(CaptureFileSource.Of([SharedData.InRepository("captures/lab.pcapng")])).Report;
            Html = File.ReadAllText(_dir.File("report.html"));
        }

        internal AuditReport Report { get; }

        internal string Html { get; }

        public void Dispose() => _dir.Dispose();
    }

    [Fact]
    public void Each_finding_kind_has_its_own_meaning_in_the_overview()
    {
        var meanings = KindRow().Matches(lab.Html).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        // Every kind the summary counts (anomalous only with --model).
        Assert.Equal(lab.Report.Summary.Findings.Keys.Select(k => k.Name()), meanings.Keys);
        // rpc-interface and weak-protocol read "traffic with an end the inventory does not name", unmapped's meaning.
        Assert.Equal(meanings.Count, meanings.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("DCE/RPC interface", meanings["rpc-interface"], StringComparison.Ordinal);
        Assert.Contains("SMB1", meanings["weak-protocol"], StringComparison.Ordinal);
    }

    [GeneratedRegex("<tr><td>([a-z-]+)</td><td>[0-9,]+</td><td>[0-9,]+</td><td>([^<]*)</td></tr>")]
    private static partial Regex KindRow();
}
