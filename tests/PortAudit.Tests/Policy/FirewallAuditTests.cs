using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Policy;
using PortAudit.Sources.Files;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Policy;

/// <summary>
/// The lab's capture audited with the Front End's own firewall policy as the lab lists it, <c>nft -j list ruleset</c>
/// (captures/lab-fe01.json, from tools/lab/fe01.nft), in process.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class FirewallAuditTests(FirewallAuditTests.LabAudit lab) : IClassFixture<FirewallAuditTests.LabAudit>
{
    /// <summary>One audit of the lab capture for the class.</summary>
    public sealed class LabAudit : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public LabAudit() => (Outcome, Flows) = Audit(_dir);

        internal AuditOutcome Outcome { get; }

        internal string Flows { get; }

        public void Dispose() => _dir.Dispose();
    }

    private static (AuditOutcome Outcome, string Flows) Audit(TempDirectory dir)
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        var policy = PolicyLoader.Load(LabPolicyFile, PolicyFormat.NftJson, name: "fe01");
        using var run = new AuditRun(context, new AuditSettings { OutputDirectory = dir.File(""), Firewalls = [policy] }, new FlowTableOptions());
        var outcome = run.Run(CaptureFileSource.Of([SharedData.InRepository("captures/lab.pcapng")]));
        return (outcome, File.ReadAllText(dir.File("flows.jsonl")));
    }

    /// <summary>The lab Front End's ruleset as <c>nft -j list ruleset</c> printed it in the lab.</summary>
    internal static string LabPolicyFile => SharedData.InRepository("captures/lab-fe01.json");

    [Fact]
    public void The_lab_ruleset_yields_exactly_the_required_flow_it_refuses_and_the_extra_flow_it_allows()
    {
        var outcome = lab.Outcome;
        var findings = outcome.Report.Findings;
        FindingKind[] policyKinds = [FindingKind.PolicyBlocksRequired, FindingKind.PolicyBypass, FindingKind.PolicyUnjustified, FindingKind.PolicyRefusedAllowed];

        var policy = findings.Where(f => policyKinds.Contains(f.Kind)).OrderBy(f => f.Kind).ThenBy(f => f.Ports, StringComparer.Ordinal).ToList();
        Assert.Equal(4, policy.Count);
        // fe01 is a Front End, so a lync-server (roles.yaml implies): the ruleset also refuses the SQL Browser the
        // catalog requires of "All Servers", which the Edge queries for its copy of the Central Management store.
        var sqlBrowser = policy[0];
        Assert.Equal((FindingKind.PolicyBlocksRequired, "lync-sql-browser", "edge01", "fe01", "1434"),
            (sqlBrowser.Kind, sqlBrowser.Rule, sqlBrowser.ClientHost, sqlBrowser.ServerHost, sqlBrowser.Ports));
        var blocked = policy[1];
        Assert.Equal((FindingKind.PolicyBlocksRequired, "lync-fe-sip-tls", "fe01", "5061"), (blocked.Kind, blocked.Rule, blocked.ServerHost, blocked.Ports));
        // The deciding rule, and the seed row that requires the flow.
        Assert.Contains("(inet palab_fw input#4)", blocked.Reason, StringComparison.Ordinal);
        // The seed row cited by its document, as people name it; the seed file's name stays in report.json's provenance.
        Assert.Contains("DNS and Firewall Requirements for Express for Lync 2.0 (Lync Server 2013): Front End Servers | Lync Server Front-End service | 5061 | TCP (TLS) |", blocked.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("000_857bc2807322ee7b.txt", blocked.Reason, StringComparison.Ordinal);
        // "SIP over TCP from anyone": the row gives 5060 to the trusted services of static routes, not to every host.
        var sipTcp = policy[2];
        Assert.Equal((FindingKind.PolicyUnjustified, "fe01:inet palab_fw input#3", "fe01", "5060"), (sipTcp.Kind, sipTcp.Rule, sipTcp.ServerHost, sipTcp.Ports));
        var unjustified = policy[3];
        Assert.Equal((FindingKind.PolicyUnjustified, "fe01:inet palab_fw input#6", "fe01", "8000"), (unjustified.Kind, unjustified.Rule, unjustified.ServerHost, unjustified.Ports));
        Assert.Contains("(\"test web server, never removed\")", unjustified.Reason, StringComparison.Ordinal);
        // The lab's traffic agrees with the policy: nothing crossed that it refuses, nothing it allows was refused.
        Assert.DoesNotContain(findings, f => f.Kind is FindingKind.PolicyBypass or FindingKind.PolicyRefusedAllowed);

        var report = Assert.Single(outcome.Report.Firewalls);
        Assert.Equal("fe01", report.Host);
        var sipFromAnyone = report.Rules.Single(r => r.Rule.Id == "inet palab_fw input#3");
        // No catalog rule admits every host to 5060: lync-fe-sip-static-routes is the trusted services' listener, and the lab names none.
        Assert.Empty(sipFromAnyone.JustifiedBy);
        Assert.Equal(PolicyDecision.Allowed, report.Instances.Single(i => i.CatalogRule == "lync-edge-int-sip-out").Decision);
    }

    [Fact]
    public void Each_flow_to_the_host_carries_the_verdict_and_the_deciding_rule_in_flows_jsonl()
    {
        var records = lab.Flows.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        var refused = records.First(r => r.GetProperty("serverPort").GetInt32() == 5061 && r.GetProperty("clientHost").GetString() == "client01");
        Assert.Equal("fe01: blocked by inet palab_fw input#4", Assert.Single(refused.GetProperty("policy").EnumerateArray()).GetString());
        // The domain controller is not behind the Front End's firewall.
        var toDc = records.First(r => r.GetProperty("serverHost").GetString() == "dc01");
        Assert.Equal(JsonValueKind.Null, toDc.GetProperty("policy").ValueKind);
    }
}
