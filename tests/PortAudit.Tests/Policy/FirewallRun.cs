using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Policy;
using PortAudit.Sources.Files;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Policy;

/// <summary>One capture audited in process with one firewall's ruleset: what the tests of a firewall's verdicts read back.</summary>
internal static class FirewallRun
{
    /// <summary>The namespace lab's inventory: 10.99.0.0/16 internal, its server 10.99.2.2 a workstation.</summary>
    public const string LanServer = """
        segments:
          - name: lan
            cidrs: [10.99.0.0/16]
            zone: internal
        hosts:
          - name: server
            addresses: [10.99.2.2]
            roles: [workstation]
        """;

    /// <summary>
    /// Audits <paramref name="capture"/> for <paramref name="inventory"/> with the ruleset <paramref name="rules"/> read as
    /// <paramref name="format"/> under the firewall name <paramref name="name"/>; the outcome and the lines of flows.jsonl.
    /// </summary>
    public static (AuditOutcome Outcome, string[] Flows) Of(ScenarioCapture capture, string inventory, string rules, PolicyFormat format, string name)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("capture.pcap"), capture.Build());
        File.WriteAllText(dir.File("rules"), rules);
        var catalog = ScenarioAudit.RepositoryCatalog;
        var context = AuditContext.Create(catalog, Audit.AuditFixture.LoadInventory(inventory, catalog));
        var policy = PolicyLoader.Load(dir.File("rules"), format, name: name);
        using var run = new AuditRun(context, new AuditSettings { OutputDirectory = dir.File("out"), Firewalls = [policy] }, new FlowTableOptions());
        var outcome = run.Run(CaptureFileSource.Of([dir.File("capture.pcap")]));
        return (outcome, File.ReadAllLines(Path.Combine(outcome.OutputDirectory, "flows.jsonl")));
    }
}
