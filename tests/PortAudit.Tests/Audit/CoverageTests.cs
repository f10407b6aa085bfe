using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Report.Audits;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

[Trait(Tier.Name, Tier.Unit)]
public class CoverageTests
{
    private static CoverageEntry Entry(AuditReport report, string rule) => Assert.Single(report.Coverage, e => e.Rule.Id == rule);

    [Fact]
    public void RulesAreInstantiatedPerHostPairWithAnyLeftUnexpanded()
    {
        var report = Auditor().Complete();

        Assert.Equal(("clients", "dc01"), (Entry(report, "ldap").FromHost, Entry(report, "ldap").ToHost));
        Assert.Equal((CoverageEntry.AnyHost, "dc01"), (Entry(report, "epm").FromHost, Entry(report, "epm").ToHost));
        Assert.Equal(["epm", "rpc-dynamic", "ldap", "sip-tls", "web-admin", "browse"], report.Coverage.Select(e => e.Rule.Id));
    }

    [Fact]
    public void PeriodicRequiredFlowNeverSeenBetweenHostsThatTalkIsMissing()
    {
        var auditor = Auditor(minimumSpan: TimeSpan.Zero);
        auditor.Audit(Established(Ws, Dc, 389));
        // The clients talked to sip01 across the capture point, so the periodic sip-tls they require could have shown.
        auditor.Audit(Established(Ws, Sip, 5060));
        var report = auditor.Complete();

        Assert.Equal(CoverageStatus.Seen, Entry(report, "ldap").Status);
        Assert.Equal(CoverageStatus.NeverSeen, Entry(report, "sip-tls").Status);
        // web-admin is optional and made on demand: its absence says nothing.
        Assert.Equal(CoverageStatus.NotExercised, Entry(report, "web-admin").Status);
        var missing = report.Findings.Where(f => f.Kind == FindingKind.Missing).Select(f => f.Rule).ToList();
        Assert.Equal(["sip-tls"], missing);
        Assert.Equal(1, report.Summary.Coverage.RequiredNeverSeen);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ARequiredInstanceWhoseOnlyFlowsCarriedAnotherProtocolIsContradictedNotMissing(int hours)
    {
        // Clear-text SIP on the clients' TLS port to sip01: the path is open and used, for the wrong protocol, which the
        // protocol-mismatch finding says. It was never-seen with a missing finding ("never seen in the capture"), or under
        // the minimum span not-exercised ("could not have shown its absence").
        var auditor = Auditor(minimumSpan: TimeSpan.FromHours(hours));
        var sip = Established(Ws, Sip, 5061);
        sip.App = AppLabel.Of("sip");
        auditor.Audit(sip);
        var report = auditor.Complete();

        Assert.Equal("contradicted", Entry(report, "sip-tls").Status.Name());
        Assert.Equal([FindingKind.ProtocolMismatch], report.Findings.Where(f => f.Rule == "sip-tls").Select(f => f.Kind));
        using var json = new MemoryStream();
        AuditJsonWriter.Write(json, report);
        var root = JsonDocument.Parse(json.ToArray()).RootElement;
        var coverage = root.GetProperty("coverage").EnumerateArray().Single(e => e.GetProperty("rule").GetString() == "sip-tls");
        Assert.Equal((0, 1), (coverage.GetProperty("flows").GetInt32(), coverage.GetProperty("mismatched").GetProperty("flows").GetInt32()));
        Assert.False(coverage.TryGetProperty("why", out _));
        var counts = root.GetProperty("summary").GetProperty("coverage");
        Assert.Equal((1, 0), (counts.GetProperty("contradicted").GetInt32(), counts.GetProperty("requiredNeverSeen").GetInt32()));
        var markdown = new StringWriter();
        AuditMarkdownWriter.Write(markdown, report, "audit");
        Assert.Contains("| contradicted | sip-tls | clients | sip01 | 5061/tcp | sip-tls | yes | 0, 1 mismatched |", markdown.ToString());
    }

    [Fact]
    public void RequiredFlowWhoseEndHadNoTrafficHereIsNotExercisedNotMissing()
    {
        var auditor = Auditor(minimumSpan: TimeSpan.Zero);
        auditor.Audit(Established(Ws, Dc, 389));
        var report = auditor.Complete();

        var sip = Entry(report, "sip-tls");
        Assert.Equal(CoverageStatus.NotExercised, sip.Status);
        Assert.Equal("the server side (sip01) had no traffic at the capture point", sip.NotExercisedReason);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Missing && f.Rule == "sip-tls");
        Assert.Equal(["dc01", "clients"], report.Capture.HostsSeen); // inventory order
        Assert.Equal(["internal"], report.Capture.ZonesSeen);
    }

    [Fact]
    public void AShortCaptureMakesNoMissingFindingsAtAll()
    {
        // Both ends visible, but seconds of capture cannot show what is absent: the default minimum span is an hour.
        var auditor = Auditor();
        auditor.Audit(Established(Ws, Dc, 389));
        auditor.Audit(Established(Ws, Sip, 5060));
        var report = auditor.Complete();

        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Missing);
        Assert.StartsWith("the capture spans 0 s, under the 1 h", Entry(report, "sip-tls").NotExercisedReason);
        Assert.Equal(0, report.Summary.Coverage.RequiredNeverSeen);
        Assert.True(report.Summary.Coverage.NotExercised > 0);
    }

    [Theory]
    [InlineData(30, CoverageStatus.NotExercised)]
    [InlineData(7200, CoverageStatus.NeverSeen)]
    public void APeriodicFlowIsDueOnlyWithinTheWindowTheCaptureWatchedItsEndsTalk(double lastSipTalk, CoverageStatus status)
    {
        // Two hours of capture (the clients talk to dc01 at its start and end), but the clients and sip01 are watched
        // talking for 29 s only: a flow they make every hour at most could not have shown in that window.
        var builder = new PcapBuilder();
        void Talk(string server, ushort port, ushort clientPort, double at)
        {
            var frames = Handshake(Ws, server, port, clientPort);
            builder.Add(frames[0], at);
            builder.Add(frames[1], at + 0.01);
        }
        Talk(Dc, 389, 50000, 1);
        Talk(Sip, 5060, 50001, 1);
        Talk(Sip, 5060, 50002, lastSipTalk);
        Talk(Dc, 389, 50003, 7201);
        var auditor = Auditor(minimumSpan: TimeSpan.FromHours(1));
        foreach (var flow in FlowRunner.Run(builder.Build()).Flows)
            auditor.Audit(flow);
        var report = auditor.Complete();

        var sip = Entry(report, "sip-tls");
        Assert.Equal(status, sip.Status);
        if (status == CoverageStatus.NotExercised)
            Assert.Equal("the capture watched clients and sip01 talk for 29 s, under the 1 h in which the deployment makes this flow", sip.NotExercisedReason);
    }

    [Fact]
    public void DynamicRangeIsSeenOnlyThroughExplainedRpc()
    {
        var auditor = Auditor(minimumSpan: TimeSpan.Zero);
        auditor.Audit(Established(Ws, Dc, 49668));
        var unexplained = Entry(auditor.Complete(), "rpc-dynamic");
        Assert.Equal((0L, CoverageStatus.NotExercised), (unexplained.Tally.Flows, unexplained.Status));
        Assert.Equal("made on demand: its absence from a capture shows no problem", unexplained.NotExercisedReason);

        var explained = Auditor();
        var flow = Established(Ws, Dc, 49668);
        flow.DceRpc = new DceRpcFacts(Guid.NewGuid(), null, null, RpcEvidence.EndpointMapper);
        explained.Audit(flow);
        Assert.Equal(CoverageStatus.Seen, Entry(explained.Complete(), "rpc-dynamic").Status);
    }

    [Fact]
    public void RulesWhoseConditionsAreNotEnabledDoNotApply()
    {
        const string twoSipServers = "  - name: sip02\n    addresses: [10.0.1.21]\n    roles: [sip-server]\nsegments:";
        var without = Auditor(InventoryYaml.Replace("segments:", twoSipServers)).Complete();
        var with = Auditor(InventoryYaml.Replace("segments:", twoSipServers) + "\nfeatures: [federation]\n").Complete();

        Assert.DoesNotContain(without.Coverage, e => e.Rule.Id == "federation");
        Assert.Equal([("sip01", "sip02"), ("sip02", "sip01")],
            with.Coverage.Where(e => e.Rule.Id == "federation").Select(e => (e.FromHost, e.ToHost)));
    }

    [Fact]
    public void AHostIsNotPairedWithItself()
    {
        var report = Auditor(InventoryYaml + "\nfeatures: [federation]\n").Complete();

        Assert.DoesNotContain(report.Coverage, e => e.Rule.Id == "federation");
    }

    [Fact]
    public void RuleWithMoreHostPairsThanTheCapIsOneAggregatedInstance()
    {
        const string more = """
              - name: dc02
                addresses: [10.0.1.11]
                roles: [domain-controller]
              - name: lab
                cidrs: [10.9.0.0/16]
                roles: [workstation]
            segments:
            """;
        var auditor = Auditor(InventoryYaml.Replace("segments:", more), maxPairsPerRule: 3);
        auditor.Audit(Established("10.9.1.1", "10.0.1.11", 389));
        var report = auditor.Complete();

        var ldap = Entry(report, "ldap");
        Assert.True(ldap.Aggregated);
        Assert.Equal((CoverageEntry.AnyHost, CoverageEntry.AnyHost), (ldap.FromHost, ldap.ToHost));
        Assert.Equal(CoverageStatus.Seen, ldap.Status);
        Assert.Equal(2, report.Coverage.Count(e => e.Rule.Id == "epm"));
    }

    [Fact]
    public void RolePairsCountFlowsBytesAndVerdictsOncePerFlow()
    {
        var auditor = Auditor();
        var ldap = Established(Ws, Dc, 389);
        auditor.Audit(ldap);
        auditor.Audit(Established(Ws, Dc, 22));
        auditor.Audit(Established(Dmz, Dc, 22));
        var pairs = auditor.Complete().RolePairs;

        var pair = Assert.Single(pairs, p => p.ClientRoles == "workstation");
        Assert.Equal("domain-controller", pair.ServerRoles);
        Assert.Equal(2, pair.Flows);
        Assert.Equal(2 * (ldap.BytesToServer + ldap.BytesToClient), pair.Bytes);
        Assert.Equal((1, 1), (pair.Count(Verdict.Expected), pair.Count(Verdict.Unexpected)));
        Assert.Equal(1, Assert.Single(pairs, p => p.ClientRoles == "(unmapped:perimeter)").Count(Verdict.Unmapped));
    }
}
