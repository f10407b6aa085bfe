using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>One small capture per verdict, through the flow table and the auditor.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class VerdictTests
{
    [Fact]
    public void FlowARuleAllowsIsExpectedWithTheRuleRecorded()
    {
        var verdict = Auditor().Audit(Established(Ws, Dc, 389));

        Assert.Equal(Verdict.Expected, verdict.Verdict);
        Assert.Equal("ldap", verdict.Rule?.Id);
        Assert.Equal("clients", verdict.Client.Host?.Name);
        Assert.Equal("dc01", verdict.Server.Host?.Name);
        Assert.False(verdict.FailedAttempt);
    }

    [Fact]
    public void DynamicPortExplainedByTheEndpointMapperIsExpectedDynamicRpc()
    {
        var flow = Established(Ws, Dc, 49668);
        flow.App = AppLabel.DceRpc;
        flow.DceRpc = new DceRpcFacts(new Guid("a4f1db00-ca47-1067-b31f-00dd010662da") /* EMSMDB: no attacker interface, judged by port and evidence alone */, 1, null, RpcEvidence.EndpointMapper);

        var verdict = Auditor().Audit(flow);

        Assert.Equal(Verdict.ExpectedDynamicRpc, verdict.Verdict);
        Assert.Equal("rpc-dynamic", verdict.Rule?.Id);
    }

    [Fact]
    public void DynamicPortWithoutEndpointMapperOrBindIsUnexpected()
    {
        var verdict = Auditor().Audit(Established(Ws, Dc, 49668));

        Assert.Equal(Verdict.Unexpected, verdict.Verdict);
        Assert.Null(verdict.Rule);
        Assert.Contains("no endpoint-mapper answer or bind", verdict.Reason);
    }

    [Fact]
    public void DynamicPortBetweenRolesWithoutTheEndpointMapperIsNotExpected()
    {
        // sip-server has no rule to the workstations' endpoint mapper, nor a dynamic range.
        var flow = Established(Sip, Ws, 49668);
        flow.DceRpc = new DceRpcFacts(Guid.NewGuid(), null, null, RpcEvidence.Bind);

        Assert.Equal(Verdict.Unexpected, Auditor().Audit(flow).Verdict);
    }

    [Theory]
    [InlineData("sip", Verdict.ProtocolMismatch)]
    [InlineData("http", Verdict.ProtocolMismatch)]
    [InlineData("tls", Verdict.Expected)]
    [InlineData(null, Verdict.Expected)]
    public void CleartextWhereTlsIsRequiredIsAProtocolMismatch(string? app, Verdict expected)
    {
        var flow = Established(Ws, Sip, 5061);
        flow.App = app is null ? null : AppLabel.Of(app);

        var verdict = Auditor().Audit(flow);

        Assert.Equal(expected, verdict.Verdict);
        Assert.Equal("sip-tls", verdict.Rule?.Id);
    }

    [Fact]
    public void FlowBetweenKnownHostsThatNoRuleAllowsIsUnexpected()
    {
        var verdict = Auditor().Audit(Established(Ws, Dc, 22));

        Assert.Equal(Verdict.Unexpected, verdict.Verdict);
        Assert.Null(verdict.Rule);
    }

    [Fact]
    public void UnknownEndIsUnmappedWithItsSegment()
    {
        var auditor = Auditor();
        var verdict = auditor.Audit(Established(Dmz, Dc, 22));

        Assert.Equal(Verdict.Unmapped, verdict.Verdict);
        Assert.Equal("perimeter", verdict.Client.Segment?.Name);
        var finding = Assert.Single(auditor.Complete().Findings, f => f.Kind == FindingKind.Unmapped);
        Assert.Equal("perimeter", finding.Segment);
        // The unnamed end is its segment in the finding; the address is counted inside.
        Assert.Equal("(unmapped:perimeter)", finding.ClientHost);
        Assert.Equal(Dmz, Assert.Single(finding.ClientAddresses!.Top(10)).Key.ToString());
    }

    [Fact]
    public void InternetHostAtADomainControllerIsUnexpectedThoughAnyMayReachIt()
    {
        // "any" is every host the inventory names; an Internet address is in the external zone, which no rule here opens.
        var verdict = Auditor().Audit(Established(Outsider, Dc, 135));

        Assert.Equal(Verdict.Unexpected, verdict.Verdict);
        Assert.Contains("zone external", verdict.Reason);
    }

    [Fact]
    public void UnknownInternalHostAtADomainControllerIsUnmappedWithItsZone()
    {
        var verdict = Auditor().Audit(Established("10.9.9.9", Dc, 135));

        Assert.Equal(Verdict.Unmapped, verdict.Verdict);
        Assert.Equal("client address is not in the inventory (zone internal)", verdict.Reason);
    }

    [Fact]
    public void IgnoredAddressesAreLeftOutOfFindingsAndCoverage()
    {
        var auditor = Auditor();
        var verdict = auditor.Audit(Established("10.0.8.255", Dc, 22));
        var report = auditor.Complete();

        Assert.Equal(Verdict.Ignored, verdict.Verdict);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Unexpected);
        Assert.Empty(report.RolePairs);
        Assert.Equal(1, report.Summary.Verdicts[Verdict.Ignored]);
    }

    [Fact]
    public void RefusedAttemptOnARequiredPortIsARequiredBlockedFinding()
    {
        var auditor = Auditor();
        var flow = Assert.Single(FlowsOf(Refused(Ws, Dc, 389)));
        Assert.Equal(FlowState.Rejected, flow.State);

        var verdict = auditor.Audit(flow);
        var report = auditor.Complete();

        Assert.Equal(Verdict.Expected, verdict.Verdict);
        Assert.True(verdict.FailedAttempt);
        Assert.Equal("ldap", verdict.BlockedRule?.Id);
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.RequiredBlocked);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal(("clients", "dc01", "389", "ldap"), (finding.ClientHost, finding.ServerHost, finding.Ports, finding.Rule));
        Assert.Equal("rejected", Assert.Single(finding.Samples).State);
        Assert.Equal("rejected attempt on a port required by rule ldap", finding.Reason);
        Assert.Equal(CoverageStatus.Failed, report.Coverage.Single(e => e.Rule.Id == "ldap").Status);
    }

    [Fact]
    public void AnOpeningWhoseAnswerTookAnotherPathIsNotARequiredBlockedFinding()
    {
        // The capture shows only the workstation's side; its acknowledgement and request say the DC answered.
        var auditor = Auditor();
        var flow = Assert.Single(FlowsOf(
            Ethernet(Ip(Ws, Dc, 6, Tcp(50000, 389, Syn, seq: 100))),
            Ethernet(Ip(Ws, Dc, 6, Tcp(50000, 389, Ack, seq: 101, ack: 5001))),
            Ethernet(Ip(Ws, Dc, 6, Tcp(50000, 389, Ack | Psh, seq: 101, ack: 5001, data: new byte[20])))));

        var verdict = auditor.Audit(flow);
        Assert.Equal((FlowState.Established, Verdict.Expected, false), (flow.State, verdict.Verdict, verdict.FailedAttempt));
        Assert.DoesNotContain(auditor.Complete().Findings, f => f.Kind == FindingKind.RequiredBlocked);
    }

    [Fact]
    public void RefusedAttemptOnAnOptionalPortIsNotBlockedFinding()
    {
        var auditor = Auditor();
        auditor.Audit(Assert.Single(FlowsOf(Refused(Ws, Dc, 8080))));

        Assert.DoesNotContain(auditor.Complete().Findings, f => f.Kind == FindingKind.RequiredBlocked);
    }

    [Fact]
    public void UnansweredDatagramOfAOneWayProtocolIsNotAFailedAttempt()
    {
        var flow = Assert.Single(FlowsOf(Ethernet(Ip(Ws, Dc, 17, Udp(138, 138)))));
        Assert.Equal(FlowState.Unanswered, flow.State);

        var verdict = Auditor().Audit(flow);

        Assert.Equal(Verdict.Expected, verdict.Verdict);
        Assert.False(verdict.FailedAttempt);
        Assert.Null(verdict.BlockedRule);
    }

    [Fact]
    public void UnansweredTcpOpeningIsAFailedAttempt()
    {
        var flow = Assert.Single(WatchedFlowsOf(Ethernet(Ip(Ws, Sip, 6, Tcp(50000, 5061, Syn)))));

        var verdict = Auditor().Audit(flow);

        Assert.Equal(FlowState.Unanswered, flow.State);
        Assert.Equal("sip-tls", verdict.BlockedRule?.Id);
    }

    [Fact]
    public void UnexpectedFlowsThatWereAllRefusedAreLowSeverity()
    {
        var auditor = Auditor();
        auditor.Audit(Assert.Single(FlowsOf(Refused(Ws, Dc, 23))));
        auditor.Audit(Established(Ws, Dc, 22));

        var findings = auditor.Complete().Findings.Where(f => f.Kind == FindingKind.Unexpected).ToDictionary(f => f.Ports);

        Assert.Equal(Severity.Low, findings["23"].Severity);
        Assert.Equal(Severity.Medium, findings["22"].Severity);
    }

    [Fact]
    public void FlowsOfOnePairAndPortAreOneFindingWithCountsAndSamples()
    {
        var auditor = Auditor();
        foreach (var flow in FlowsOf([.. Handshake(Ws, Dc, 22, 40001), .. Handshake(Ws, Dc, 22, 40002), .. Handshake(Ws2, Dc, 22, 40003)]))
            auditor.Audit(flow);

        var finding = Assert.Single(auditor.Complete().Findings, f => f.Kind == FindingKind.Unexpected);

        Assert.Equal(3, finding.Tally.Flows);
        Assert.Equal(3, finding.Samples.Count);
        Assert.True(finding.Tally.FirstNs < finding.Tally.LastNs);
        // A flow's id is the run ordinal of the packet that opened it: each handshake here is two packets.
        Assert.Equal([1L, 3L, 5L], finding.FlowIds);
        Assert.Equal(finding.FlowIds, finding.Samples.Select(sample => sample.Id));
    }

    [Fact]
    public void AFindingKeepsTheIdsOfItsFirstFlowsAndCountsTheRest()
    {
        var auditor = Auditor();
        var flows = Enumerable.Range(0, Finding.MaxFlowIds + 20)
            .Select(i => new Flow(1000 + i, 6, IpAddr.Parse(Ws), (ushort)(40000 + i), IpAddr.Parse(Dc), 22, i, opened: true));
        foreach (var flow in flows) auditor.Audit(flow);

        var finding = Assert.Single(auditor.Complete().Findings, f => f.Kind == FindingKind.Unexpected);

        Assert.Equal(Finding.MaxFlowIds + 20, finding.Tally.Flows);
        Assert.Equal(Enumerable.Range(1000, Finding.MaxFlowIds).Select(i => (long)i), finding.FlowIds);
        Assert.Equal(CommunityId.Of(new Flow(0, 6, IpAddr.Parse(Ws), 40000, IpAddr.Parse(Dc), 22, 0, opened: true)), finding.Samples[0].CommunityId);
    }
}
