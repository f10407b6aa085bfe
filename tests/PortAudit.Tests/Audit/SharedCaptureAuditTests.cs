using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Cli;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Audits of real captures from ../shared/captures with the repository's catalog and the inventories in
/// Audit/Inventories, through the same pipeline as the CLI (so inspection takes part once it is merged).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SharedCaptureAuditTests
{
    /// <summary>Keeps every audited flow with its verdict.</summary>
    internal sealed class Recorder : IAuditedFlowSink
    {
        public List<(Flow Flow, FlowVerdict Verdict)> Flows { get; } = [];

        public void Write(Flow flow, FlowVerdict verdict) => Flows.Add((flow, verdict));
    }

    internal static string InventoryPath(string name) => SharedData.InRepository($"tests/PortAudit.Tests/Audit/Inventories/{name}.yaml");

    private static (List<(Flow Flow, FlowVerdict Verdict)> Flows, AuditReport Report) Run(string capture, string inventory)
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(InventoryPath(inventory), catalog));
        return Audit(context, SharedData.Path($"captures/{capture}")!);
    }

    /// <summary>Audits the capture at <paramref name="path"/> in process, through the CLI's pipeline; fails on a read error.</summary>
    internal static (List<(Flow Flow, FlowVerdict Verdict)> Flows, AuditReport Report) Audit(AuditContext context, string path) =>
        Audit(context, CaptureFileSource.Of([path]));

    /// <summary>Audits <paramref name="sources"/> (packets or flow records) in process, through the CLI's pipeline; fails on a read error.</summary>
    internal static (List<(Flow Flow, FlowVerdict Verdict)> Flows, AuditReport Report) Audit(AuditContext context, IReadOnlyList<IFlowSource> sources)
    {
        var (flows, report, summary) = Judge(context, sources);
        Assert.Empty(summary.Errors);
        return (flows, report);
    }

    /// <summary>Audits <paramref name="sources"/> in process, through the CLI's pipeline, read errors and all.</summary>
    internal static (List<(Flow Flow, FlowVerdict Verdict)> Flows, AuditReport Report, TrafficSummary Summary) Judge(AuditContext context, IReadOnlyList<IFlowSource> sources)
    {
        var recorder = new Recorder();
        var auditor = new FlowAuditor(context, recorder);
        var run = new TrafficRun(new FlowTableOptions { ServerPorts = context.ServerPorts }, auditor);
        run.Read(sources);
        return (recorder.Flows, auditor.Complete(), run.Summary);
    }

    [SharedDataFact("captures/sv-dcerpc-zerologon.pcap")]
    public void ZerologonWorkstationToDomainController()
    {
        var (flows, report) = Run("sv-dcerpc-zerologon.pcap", "sv-dcerpc-zerologon");

        var byPort = flows.ToLookup(f => f.Flow.ServerPort);
        Assert.Equal(21, byPort[135].Count());
        Assert.All(byPort[135], f => Assert.Equal((Verdict.Expected, "kb832017-domain-controller-dcerpc-epm"), (f.Verdict.Verdict, f.Verdict.Rule?.Id)));
        Assert.Equal(11, byPort[445].Count());
        Assert.All(byPort[445], f => Assert.Equal((Verdict.Expected, "kb832017-domain-controller-smb-tcp-445"), (f.Verdict.Verdict, f.Verdict.Rule?.Id)));
        Assert.Equal(21, byPort[49668].Count());
        // Inspection runs in the pipeline: the mapper's answer names NETLOGON on 49668, which explains every flow there.
        Assert.All(byPort[49668], f => Assert.Equal((RpcEvidence.EndpointMapper, Verdict.ExpectedDynamicRpc, "kb832017-domain-controller-dcerpc-dynamic"),
            (f.Flow.DceRpc?.Evidence, f.Verdict.Verdict, f.Verdict.Rule?.Id)));
        Assert.Equal(53, flows.Count);
        Assert.Equal(CoverageStatus.Seen, report.Coverage.Single(e => e.Rule.Id == "kb832017-domain-controller-dcerpc-epm").Status);
        // The capture lasts seconds: what it did not show (Kerberos, here) is not exercised, not missing.
        var kerberos = report.Coverage.Single(e => e.Rule.Id == "kb832017-domain-controller-kerberos-tcp-88");
        Assert.Equal(CoverageStatus.NotExercised, kerberos.Status);
        Assert.NotNull(kerberos.NotExercisedReason);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Missing);
        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.RequiredBlocked or FindingKind.ProtocolMismatch);
    }

    [SharedDataFact("captures/zeek-ldap-aduser1.pcap")]
    public void DomainLogonIsKerberosLdapAndSmbAllExpected()
    {
        var (flows, report) = Run("zeek-ldap-aduser1.pcap", "zeek-ldap-aduser1");

        Assert.Equal(4, flows.Count);
        Assert.All(flows, f => Assert.Equal(Verdict.Expected, f.Verdict.Verdict));
        Assert.Equal(["kb832017-domain-controller-kerberos-tcp-88", "kb832017-domain-controller-ldap-tcp-389", "kb832017-domain-controller-smb-tcp-445"],
            flows.Select(f => f.Verdict.Rule!.Id).Distinct().Order());
        var pair = Assert.Single(report.RolePairs);
        Assert.Equal(("workstation", "domain-controller+dns-server", 4L), (pair.ClientRoles, pair.ServerRoles, pair.Count(Verdict.Expected)));
    }

    [SharedDataFact("captures/sip.pcap")]
    public void PhoneTalkingToInternetProvidersIsUnexpectedFromItsZoneToTheExternalOne()
    {
        var (flows, report) = Run("sip.pcap", "sip");

        // The providers are Internet addresses (zone external, not listed): where they should be, but no rule lets the
        // phone reach them.
        Assert.All(flows, f => Assert.Equal((Verdict.Unexpected, "external"), (f.Verdict.Verdict, f.Verdict.Server.Zone)));
        Assert.All(report.Findings, f => Assert.Equal((FindingKind.Unexpected, "phone"), (f.Kind, f.ClientHost)));
        var sip = Assert.Single(report.Findings, f => f.ServerHost == "(unmapped:external)" && f.Ports == "5060");
        Assert.Contains(sip.ServerAddresses!.Top(10), a => a.Key.ToString() == "212.242.33.35" && a.Value == 3);
    }

    [SharedDataFact("captures/zeek-dce-rpc-dce_rpc_netlogon.pcapng")]
    public void NetlogonOnADynamicPortNeedsTheBindToBeExpected()
    {
        var (flows, report) = Run("zeek-dce-rpc-dce_rpc_netlogon.pcapng", "zeek-dce-rpc-dce_rpc_netlogon");

        var (flow, verdict) = Assert.Single(flows);
        Assert.Equal(49676, flow.ServerPort);
        var dynamic = report.Coverage.Single(e => e.Rule.Id == "kb832017-domain-controller-dcerpc-dynamic");
        Assert.Equal("49152-65535", Assert.Single(dynamic.Rule.Ports).ToString());
        // Inspection runs in the pipeline: the NETLOGON bind in the flow explains the port.
        Assert.Equal((RpcEvidence.Bind, Verdict.ExpectedDynamicRpc), (flow.DceRpc?.Evidence, verdict.Verdict));
        Assert.Equal(CoverageStatus.Seen, dynamic.Status);
    }

    [SharedDataFact("captures/kerberos-login.pcap")]
    public void KerberosLogonsAtTwoSitesAreExpectedPerHostPair()
    {
        var (flows, report) = Run("kerberos-login.pcap", "kerberos-login");

        Assert.Equal(13, flows.Count);
        Assert.All(flows, f => Assert.Equal(Verdict.Expected, f.Verdict.Verdict));
        var seen = report.Coverage.Where(e => e.Status == CoverageStatus.Seen).Select(e => (e.Rule.Id, e.ToHost)).Order().ToList();
        Assert.Equal([("kb832017-domain-controller-kerberos-tcp-88", "site-b-dc"), ("kb832017-domain-controller-kerberos-udp-88", "site-a-dc")], seen);
        Assert.Equal(12, report.Coverage.Single(e => e.Rule.Id == "kb832017-domain-controller-kerberos-udp-88" && e.ToHost == "site-a-dc").Tally.Flows);
    }

}

/// <summary>The audit command run as a process on a real capture from ../shared/captures.</summary>
[Trait(Tier.Name, Tier.Cli)]
public class SharedCaptureCliAuditTests
{
    [SharedDataFact("captures/sv-dcerpc-zerologon.pcap")]
    public void CliAuditOfZerologonPassesAndAnUnknownHostAtTheDcFailsOnUnmapped()
    {
        var output = Directory.CreateTempSubdirectory("portaudit-e2e");
        try
        {
            string capture = SharedData.Path("captures/sv-dcerpc-zerologon.pcap")!;
            string args = $"audit \"{capture}\" --inventory \"{SharedCaptureAuditTests.InventoryPath("sv-dcerpc-zerologon")}\" --out \"{output.FullName}\"";
            var clean = CliProcess.Run(args);

            Assert.Equal(0, clean.ExitCode);
            Assert.Contains("audit: 53 flows: 32 expected, 21 expected-dynamic-rpc", clean.StandardOutput);
            Assert.Equal(53, File.ReadAllLines(Path.Combine(output.FullName, "flows.jsonl")).Length);
            Assert.Contains("kb832017-domain-controller-dcerpc-epm", File.ReadAllText(Path.Combine(output.FullName, "report.md")));
            // The domain controller's services are made on demand: not exercised, not missing, even in a long capture.
            Assert.Contains("made on demand", File.ReadAllText(Path.Combine(output.FullName, "report.json")));

            // The same traffic with the workstation left out of the inventory: an unknown internal host at the DC.
            string dcOnly = Path.Combine(output.FullName, "dc-only.yaml");
            File.WriteAllText(dcOnly, "hosts:\n  - name: dc\n    addresses: [172.16.5.58]\n    roles: [domain-controller]\n");
            string strangerArgs = $"audit \"{capture}\" --inventory \"{dcOnly}\" --out \"{output.FullName}\"";
            var stranger = CliProcess.Run(strangerArgs + " --fail-on unmapped");
            Assert.Equal(1, stranger.ExitCode);
            Assert.Contains("audit: 53 flows: 53 unmapped", stranger.StandardOutput);
            Assert.Equal(0, CliProcess.Run(strangerArgs + " --fail-on blocked,mismatch").ExitCode);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
