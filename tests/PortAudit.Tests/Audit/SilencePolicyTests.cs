using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Silence is judged by the protocol and the destination: unanswered broadcasts, multicasts and one-way protocols are
/// not failed attempts and never required-blocked, while an unanswered TCP opening to a required port still is.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SilencePolicyTests
{
    private static readonly Lazy<RoleCatalog> Rules = new(() => CatalogLoader.Load(SharedData.InRepository("rules")));

    private static AuditContext RealContext(string inventoryYaml) =>
        AuditContext.Create(Rules.Value, LoadInventory(inventoryYaml, Rules.Value));

    private static AuditContext LabContext() =>
        AuditContext.Create(Rules.Value, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), Rules.Value));

    [Theory]
    [InlineData("255.255.255.255", true)]
    [InlineData("10.0.11.255", true)]   // clients 10.0.8.0/22
    [InlineData("172.16.0.255", true)]  // segment perimeter 172.16.0.0/24
    [InlineData("224.0.0.251", true)]
    [InlineData("239.255.255.250", true)]
    [InlineData("ff02::1:3", true)]
    [InlineData("10.0.8.255", false)]   // a host address inside the /22
    [InlineData("10.0.1.10", false)]
    [InlineData("10.0.1.255", false)]   // no inventory prefix ends there
    [InlineData("2001:db8::ff", false)]
    public void GroupDestinationsAreBroadcastsOfInventoryPrefixesAndMulticast(string address, bool group)
    {
        Assert.True(IpAddr.TryParse(address, out var parsed));
        Assert.Equal(group, new SilencePolicy(LoadInventory()).IsGroupDestination(parsed));
    }

    [Fact]
    public void ASingleAddressOrPointToPointPrefixHasNoBroadcast()
    {
        var inventory = LoadInventory("""
            hosts:
              - name: link
                cidrs: [192.0.2.0/31, 192.0.2.8/30]
                roles: [workstation]
            """);
        var policy = new SilencePolicy(inventory);
        Assert.False(policy.IsGroupDestination(IpAddr.FromV4(0xC0000201)));
        Assert.True(policy.IsGroupDestination(IpAddr.FromV4(0xC000020B)));
    }

    [Fact]
    public void UnansweredOneWayFlowThatNoRuleMatchesIsNotAFailedAttempt()
    {
        // No rule lets a workstation send datagrams to the SIP server; inspection named them NetBIOS datagrams.
        var flow = Assert.Single(WatchedFlowsOf(Ethernet(Ip(Ws, Sip, 17, Udp(138, 138)))));
        flow.App = AppLabel.NetBiosDgm;
        var silent = Auditor().Audit(flow);

        var unlabelled = Assert.Single(WatchedFlowsOf(Ethernet(Ip(Ws, Sip, 17, Udp(40000, 9999)))));
        var failed = Auditor().Audit(unlabelled);

        Assert.Equal((Verdict.Unexpected, false), (silent.Verdict, silent.FailedAttempt));
        Assert.Equal((Verdict.Unexpected, true), (failed.Verdict, failed.FailedAttempt));
    }

    [Theory]
    [InlineData("v1 trap", false)]
    [InlineData("v2c trap-v2", false)]
    [InlineData("v2c get-request", true)]
    public void UnansweredSnmpIsSilentOnlyForTraps(string detail, bool failedAttempt)
    {
        var flow = Assert.Single(WatchedFlowsOf(Ethernet(Ip(Ws, Sip, 17, Udp(40000, 161)))));
        flow.App = AppLabel.Snmp;
        flow.AppDetail = AppDetail.Word(detail);

        Assert.Equal(failedAttempt, Auditor().Audit(flow).FailedAttempt);
    }

    [Theory]
    [InlineData("query", true)]             // a unicast query nobody answered: something may drop it
    [InlineData("query; response", false)]  // a WINS server's unicast answer to a broadcast query: nothing answers it
    [InlineData("query; broadcast", false)] // a broadcast sent to a host address the inventory has no prefix for
    public void UnansweredNetBiosNameIsSilentForResponsesAndBroadcasts(string detail, bool failedAttempt)
    {
        var flow = Assert.Single(WatchedFlowsOf(Ethernet(Ip(Ws, Sip, 17, Udp(137, 137)))));
        flow.App = AppLabel.NetBiosNs;
        flow.AppDetail = AppDetail.Of([.. detail.Split("; ").Select(w => new DetailPart(null, w))]);

        Assert.Equal(failedAttempt, Auditor().Audit(flow).FailedAttempt);
    }

    [Fact]
    public void RejectedDatagramToABroadcastIsStillAFailedAttempt()
    {
        // Something answered, and said no: that is no protocol's silence.
        var probe = Ip(Ws, "10.0.11.255", 17, Udp(138, 138));
        var flow = Assert.Single(FlowsOf(Ethernet(probe), Ethernet(Ip(Dc, Ws, 1, Unreachable(false, 3, probe)))));
        Assert.Equal(FlowState.Rejected, flow.State);

        Assert.True(Auditor().Audit(flow).FailedAttempt);
    }

    [Fact]
    public void UnansweredMapiNotificationFromExchangeToUnityIsNotRequiredBlocked()
    {
        var context = RealContext("""
            hosts:
              - name: exch01
                addresses: [10.1.0.5]
                roles: [exchange-server]
              - name: unity01
                addresses: [10.1.0.9]
                roles: [cisco-unity]
            """);
        var auditor = new FlowAuditor(context);
        var flow = Assert.Single(FlowsOf(Ethernet(Ip("10.1.0.5", "10.1.0.9", 17, Udp(51000, 51234, new byte[24]))),
            Ethernet(Ip("10.1.0.5", "10.1.0.9", 17, Udp(51000, 51234, new byte[24])))));
        Assert.Equal(FlowState.Unanswered, flow.State);

        var verdict = auditor.Audit(flow);
        var report = auditor.Complete();

        Assert.Equal((Verdict.Expected, "unity-exchange-mapi-notify"), (verdict.Verdict, verdict.Rule?.Id));
        Assert.False(verdict.FailedAttempt);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.RequiredBlocked);
        Assert.Equal(0, report.Summary.FailedAttempts);
        Assert.Equal(CoverageStatus.Seen, report.Coverage.Single(e => e.Rule.Id == "unity-exchange-mapi-notify").Status);
    }

    [Fact]
    public void UnansweredTcpOpeningToARequiredPortIsStillRequiredBlocked()
    {
        var context = LabContext();
        var auditor = new FlowAuditor(context);
        var syn = Ethernet(Ip("10.77.0.100", "10.77.0.10", 6, Tcp(50123, 5061, Syn)));
        var flow = Assert.Single(WatchedFlowsOf(syn, syn, syn));
        Assert.Equal(FlowState.Unanswered, flow.State);

        var verdict = auditor.Audit(flow);
        var report = auditor.Complete();

        Assert.Equal("lync-fe-sip-tls", verdict.BlockedRule?.Id);
        var blocked = Assert.Single(report.Findings, f => f.Kind == FindingKind.RequiredBlocked);
        Assert.Equal(("client01", "fe01", Severity.High), (blocked.ClientHost, blocked.ServerHost, blocked.Severity));
        Assert.Equal(1, report.Summary.FailedAttempts);
    }

    [SharedDataFact("captures/netbios.pcap")]
    public void NetBiosBroadcastsToTheSubnetBroadcastOfAnInventoryPrefixAreNotRequiredBlocked()
    {
        var context = RealContext("""
            hosts:
              - name: lan
                cidrs: [10.0.4.0/23]
                roles: [workstation, windows-host]
            """);
        var (flows, report) = SharedCaptureAuditTests.Audit(context, SharedData.Path("captures/netbios.pcap")!);

        // Name queries and browser announcements to 10.0.5.255, the all-ones host part of 10.0.4.0/23.
        var broadcasts = flows.Where(f => f.Flow.Server.ToString() == "10.0.5.255").ToList();
        Assert.Equal(9, broadcasts.Count);
        Assert.Contains(broadcasts, f => f.Verdict.Rule?.Id == "kb832017-windows-host-netbios-ns-udp-137");
        Assert.Contains(broadcasts, f => f.Verdict.Rule?.Id == "kb832017-windows-host-netbios-dgm-udp-138");
        Assert.All(broadcasts, f => Assert.Equal((FlowState.Unanswered, Verdict.Expected, false, null),
            (f.Flow.State, f.Verdict.Verdict, f.Verdict.FailedAttempt, f.Verdict.BlockedRule)));
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.RequiredBlocked && f.Samples.Any(s => s.Server == "10.0.5.255"));
    }

    [Fact]
    public void LabSampleAuditCountsOneFailedAttemptAndNoIcmpFinding()
    {
        var context = LabContext();
        string output = Path.Combine(Path.GetTempPath(), $"silence-lab-{Guid.NewGuid():N}");
        try
        {
            using var run = new AuditRun(context, new AuditSettings { OutputDirectory = output }, new FlowTableOptions());
            var outcome = run.Run(CaptureFileSource.Of([SharedData.InRepository("captures/lab.pcapng")]));
            var summary = outcome.Report.Summary;

            Assert.Equal((16L, 1L), (summary.Flows, summary.FailedAttempts));
            // HTTP on 8000, and the client's clear-text SIP on 5060: the Front End's listener for trusted services, not clients.
            Assert.Equal(2, summary.Verdicts[Verdict.Unexpected]);
            Assert.Equal(["5060", "8000"], outcome.Report.Findings.Where(f => f.Kind == FindingKind.Unexpected).Select(f => f.Ports).Order());
            Assert.Equal("lync-fe-sip-tls", Assert.Single(outcome.Report.Findings, f => f.Kind == FindingKind.RequiredBlocked).Rule);
            Assert.DoesNotContain("\"transport\":\"icmp\"", File.ReadAllText(Path.Combine(output, "flows.jsonl")));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
