using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using Xunit.Abstractions;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// The scenario suite: four realistic deployments audited in process, every finding judged by a label an auditor
/// wrote, planted problems checked one by one, and the figures (precision per kind and scenario, planted problems
/// caught, false missing) printed. See docs/audit.md, "Scenario suite".
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ScenarioSuiteTests(ITestOutputHelper output)
{
    private const string WindowsCaptures = "captures/netbios.pcap";

    private static readonly Lazy<Scenario> Lync = new(LyncEdgeSite.Build), Windows = new(WindowsDomain.Build),
        Unity = new(UnityExchangeCucm.Build), Xmpp = new(XmppFederatedLync.Build), Review = new(SecurityReview.Build);

    internal static IEnumerable<Scenario> All => [Lync.Value, Windows.Value, Unity.Value, Xmpp.Value, Review.Value];

    [Fact]
    public void SecurityReviewFindingsAreAllLabelled() => AssertAllLabelled(Review.Value);

    /// <summary>
    /// The security review: every planted problem raises its finding (at high severity for the RPC ones) carrying its
    /// flows' ids, and every legitimate flow is judged allowed with no finding; all listed at once when any falls short.
    /// </summary>
    [Fact]
    public void SecurityReviewCatchesEveryPlantedProblemAndFlagsNoLegitimateFlow()
    {
        var result = ScenarioAudit.Run(Review.Value);
        var misses = Review.Value.Planted.Select(p => (p, Miss: ScenarioFigures.Miss(result, p))).Where(m => m.Miss is not null)
            .Select(m => $"{m.p.Name}: {m.Miss}").ToList();
        foreach (var finding in result.Report.Findings) output.WriteLine(ScenarioFigures.Describe(finding) + $" [{finding.Severity.Name()}] {finding.Explanation}");
        Assert.True(misses.Count == 0, string.Join("\n", misses));
    }

    [Fact]
    public void LyncEdgeSiteFindingsAreAllLabelled() => AssertAllLabelled(Lync.Value);

    [SharedDataFact(WindowsCaptures)]
    public void WindowsDomainFindingsAreAllLabelled() => AssertAllLabelled(Windows.Value);

    [Fact]
    public void UnityExchangeCucmFindingsAreAllLabelled() => AssertAllLabelled(Unity.Value);

    [Fact]
    public void XmppFederatedLyncFindingsAreAllLabelled() => AssertAllLabelled(Xmpp.Value);

    [SharedDataFact(WindowsCaptures)]
    public void PlantedUnknownHostBindingNetlogonOnADomainControllerIsAnRpcInterfaceFinding() => AssertPlanted(Windows.Value, "an unknown host at a DC");

    [SharedDataFact(WindowsCaptures)]
    public void PlantedInternetAtTheDomainControllerIsUnexpected() => AssertPlanted(Windows.Value, "the Internet at an internal service");

    [SharedDataFact(WindowsCaptures)]
    public void UnansweredNetBiosNameResponseIsNotRequiredBlocked() => AssertPlanted(Windows.Value, "an unanswered NetBIOS name response");

    [SharedDataFact(WindowsCaptures)]
    public void NetBiosBroadcastToAnUnlistedSubnetIsNotRequiredBlocked() => AssertPlanted(Windows.Value, "NetBIOS name queries broadcast");

    [Fact]
    public void PlantedInternetAtTheFrontEndIsUnexpected() => AssertPlanted(Lync.Value, "the Internet at an internal service");

    [Fact]
    public void PlantedInternetAtTheEdgeInternalInterfaceIsUnexpected() => AssertPlanted(Lync.Value, "the Internet at the Edge internal");

    [Fact]
    public void PlantedPeriodicFlowNeverSeenIsMissing() => AssertPlanted(Lync.Value, "a periodic flow never seen");

    [Fact]
    public void PlantedResetOnARequiredPortIsRequiredBlocked() => AssertPlanted(Lync.Value, "blocked required port");

    [Fact]
    public void PlantedIcmpUnreachableOnARequiredPortIsRequiredBlocked() => AssertPlanted(Unity.Value, "blocked required port");

    [Fact]
    public void PlantedResetOnTheXmppGatewayPortIsRequiredBlocked() => AssertPlanted(Xmpp.Value, "blocked required port");

    [Fact]
    public void PlantedCleartextWhereTlsIsRequiredIsAProtocolMismatch() => AssertPlanted(Xmpp.Value, "cleartext where TLS is required");

    [Fact]
    public void PlantedUnansweredOneWayNotificationIsNotRequiredBlocked() => AssertPlanted(Unity.Value, "an unanswered one-way notification");

    [Fact]
    public void PlantedDcomCallOnAHighPortInsideTheMediaRangeIsDynamicRpc() => AssertPlanted(Lync.Value, "DCOM call on a high port");

    [Fact]
    public void PlantedDcomCallInUnitysRestrictedRangeIsDynamicRpc() => AssertPlanted(Unity.Value, "DCOM call on a port of Unity's");

    [Theory]
    [InlineData("unity-exchange-cucm", 2000, 33012)]
    [InlineData("xmpp-federated-lync")]
    public void GeneratedConversationsAreLabelledByInspectionAndSpanTwoHours(string name, params int[] opaquePorts)
    {
        // Judgements rest on what inspection reads: every answered generated flow must carry its protocol, except the
        // ports whose protocol has no inspector (SCCP, MAPI notifications), and the day must be long enough to judge.
        var result = ScenarioAudit.Run(All.Single(s => s.Name == name));
        var unlabelled = result.Flows.Where(f => f.Flow.State == FlowState.Established && f.Flow.App is null
                                                 && !opaquePorts.Contains(f.Flow.ServerPort)).ToList();
        Assert.True(unlabelled.Count == 0, string.Join(", ", unlabelled.Select(f => $"{f.Flow.Client}->{f.Flow.Server}:{f.Flow.ServerPort}")));
        Assert.Contains(result.Flows, f => f.Flow.ServerPort == 5003 && f.Flow.App == AppLabel.DceRpc || f.Flow.ServerPort == 5269 && f.Flow.App == AppLabel.Xmpp);
        long span = result.Flows.Max(f => f.Flow.EndNs) - result.Flows.Min(f => f.Flow.StartNs);
        Assert.InRange(TimeSpan.FromTicks(span / 100), TimeSpan.FromHours(1.9), TimeSpan.FromHours(2.1));
    }

    [SharedDataFact(WindowsCaptures)]
    public void FiguresPerScenarioAndKind()
    {
        var results = All.Select(ScenarioAudit.Run).ToList();
        output.WriteLine(ScenarioFigures.Table(results));
        // The precision review's table (docs/audit.md): every finding with its label, as Markdown rows.
        foreach (var result in results)
            foreach (var finding in result.Report.Findings)
                output.WriteLine($"| {result.Scenario.Name} | {finding.Kind.Name()} ({finding.Severity.Name()}) | {finding.ClientHost} → {finding.ServerHost} " +
                                 $"{finding.Service} | {result.Scenario.LabelOf(finding)?.Judgement.ToString().ToLowerInvariant() ?? "unlabelled"} | " +
                                 $"{result.Scenario.LabelOf(finding)?.Reason} |");
        foreach (var result in results)
            foreach (var stale in result.Scenario.Labels.Where(l => !result.Report.Findings.Any(l.Matches)))
                output.WriteLine($"{result.Scenario.Name}: label matches no finding any more: {stale.Kind.Name()} {stale.Client} -> {stale.Server} {stale.Ports ?? "*"} {stale.Rule ?? "*"}");
        Assert.All(results, r => Assert.NotEmpty(r.Report.Findings));
    }

    [SharedDataFact(WindowsCaptures)]
    public void GoalPrecisionPerKindAndNoFalseMissing()
    {
        var results = All.Select(ScenarioAudit.Run).ToList();
        output.WriteLine(ScenarioFigures.Table(results));
        var shortfalls = results.SelectMany(ScenarioFigures.PerKind)
            .Where(k => k.Precision < ScenarioFigures.PrecisionGoal)
            .Select(k => $"{k.Scenario} {k.Kind.Name()}: {k.Actionable}/{k.Findings} = {k.Precision:0.00}")
            .Concat(results.Where(r => ScenarioFigures.FalseMissing(r) > 0).Select(r => $"{r.Scenario.Name}: {ScenarioFigures.FalseMissing(r)} false missing"))
            .Concat(results.SelectMany(r => r.Scenario.Planted.Where(p => ScenarioFigures.Miss(r, p) is not null)
                .Select(p => $"{r.Scenario.Name}: planted '{p.Name}' missed: {ScenarioFigures.Miss(r, p)}")))
            .ToList();
        Assert.True(shortfalls.Count == 0, "goal not met:\n" + string.Join("\n", shortfalls));
    }

    private void AssertAllLabelled(Scenario scenario)
    {
        var result = ScenarioAudit.Run(scenario);
        var unlabelled = result.Report.Findings.Where(f => scenario.LabelOf(f) is null).ToList();
        foreach (var finding in unlabelled)
            output.WriteLine("unlabelled: " + ScenarioFigures.Describe(finding));
        Assert.True(unlabelled.Count == 0, $"{scenario.Name}: {unlabelled.Count} of {result.Report.Findings.Count} findings have no label (listed in the output)");
    }

    private void AssertPlanted(Scenario scenario, string name)
    {
        var planted = Assert.Single(scenario.Planted, p => p.Name.StartsWith(name, StringComparison.Ordinal));
        var miss = ScenarioFigures.Miss(ScenarioAudit.Run(scenario), planted);
        Assert.True(miss is null, $"{scenario.Name}: planted '{planted.Name}' not judged right: {miss}");
    }
}
