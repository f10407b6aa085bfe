using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Pipeline.Filter;
using PortAudit.Sources.Files;
using PortAudit.Tests.Catalog;

namespace PortAudit.Tests.Audit;

/// <summary>
/// An audit from a capture file to its reports, in process through the library's <see cref="AuditRun"/>: what the CLI's
/// audit command concludes and writes, without starting a process.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AuditRunTests : IDisposable
{
    private readonly InProcessAudit _audit = new();

    public void Dispose() => _audit.Dispose();

    private string OutDir => _audit.OutDir;

    private string Capture(params ushort[] ports) => _audit.Capture(ports);

    private AuditOutcome Run(string capture, Func<AuditSettings, AuditSettings>? adjust = null, bool periodic = false)
    {
        if (periodic) _audit.MakePeriodic("0.05s");
        using var run = _audit.Open(adjust);
        return run.Run(CaptureFileSource.Of([capture]));
    }

    [Fact]
    public void CleanAuditPassesAndWritesTheReportsAndFlows()
    {
        var outcome = Run(Capture(135));

        Assert.Equal(0, outcome.FailingFindings);
        Assert.Equal(1, outcome.Report.Summary.Verdicts[Verdict.Expected]);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.Equal(["provenance", "complete", "packets", "summary", "capture", "findings", "coverage", "rolePairs"], report.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, report.RootElement.GetProperty("summary").GetProperty("verdicts").GetProperty("expected").GetInt32());
        var coverage = Assert.Single(report.RootElement.GetProperty("coverage").EnumerateArray().ToList());
        Assert.Equal(("demo-epm", "ws", "srv", "seen"), (coverage.GetProperty("rule").GetString(), coverage.GetProperty("fromHost").GetString(),
            coverage.GetProperty("toHost").GetString(), coverage.GetProperty("status").GetString()));

        var flow = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl")))).RootElement;
        Assert.Equal("expected", flow.GetProperty("verdict").GetString());
        Assert.Equal("demo-epm", flow.GetProperty("rule").GetString());
        Assert.Equal(("ws", "srv"), (flow.GetProperty("clientHost").GetString(), flow.GetProperty("serverHost").GetString()));
        Assert.Equal(["server"], flow.GetProperty("serverRoles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("established", flow.GetProperty("state").GetString());
        Assert.StartsWith("# PortAudit report: capture.pcap", File.ReadAllText(Path.Combine(OutDir, "report.md")));
    }

    [Fact]
    public void UnexpectedFlowFailsTheAuditUnlessFailOnLeavesItOut()
    {
        string capture = Capture(135, 22);

        var failing = Run(capture);
        Assert.Equal(1, failing.FailingFindings);
        Assert.Equal(1, failing.Report.Summary.Findings[FindingKind.Unexpected]);
        Assert.Contains("| unexpected | ws (client) | srv (server) | 22/tcp |", File.ReadAllText(Path.Combine(OutDir, "report.md")));

        Assert.Equal(0, Run(capture, s => s with { FailOn = [FindingKind.Missing, FindingKind.RequiredBlocked] }).FailingFindings);
    }

    [Fact]
    public void AVerdictFilterKeepsOnlyThoseFlowsInFlowsJsonlAndLeavesTheFindingsWhole()
    {
        string capture = Capture(135, 22, 22);
        using var run = _audit.Open(flowOptions: new FlowTableOptions { Selection = FlowFilter.Create("verdict unexpected", null, null) });
        var outcome = run.Run(CaptureFileSource.Of([capture]));

        var verdicts = File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("verdict").GetString()).ToList();
        Assert.Equal(["unexpected", "unexpected"], verdicts);
        // The audit judged the expected flow too: the filter chose what was written, not what was audited.
        Assert.Equal(1, outcome.Report.Summary.Verdicts[Verdict.Expected]);
        Assert.Equal(1, outcome.Report.Summary.Findings[FindingKind.Unexpected]);
    }

    [Theory]
    [InlineData("rule demo-epm", new[] { "expected" })]
    [InlineData("rule none", new[] { "unexpected", "unexpected" })]
    [InlineData("dst role server and dst port 22", new[] { "unexpected", "unexpected" })]
    [InlineData("src role server", new string[0])]
    [InlineData("rule demo-epm or (verdict unexpected and port 22)", new[] { "expected", "unexpected", "unexpected" })]
    public void TheAuditsOwnTermsChooseWhichJudgedFlowsAreWritten(string expression, string[] written)
    {
        using var run = _audit.Open(flowOptions: new FlowTableOptions { Selection = FlowFilter.Create(expression, null, null) });
        var outcome = run.Run(CaptureFileSource.Of([Capture(135, 22, 22)]));

        Assert.Equal(written, File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("verdict").GetString()));
        Assert.Equal(1, outcome.Report.Summary.Findings[FindingKind.Unexpected]);
    }

    [Fact]
    public void ARoleTheCatalogDoesNotKnowIsRefusedWithTheNearestOne()
    {
        var refused = Assert.Throws<InputException>(() =>
            _audit.Open(flowOptions: new FlowTableOptions { Selection = FlowFilter.Create("dst role servr", null, null) }));
        Assert.Equal("--filter: role 'servr' is not in the catalog: did you mean server?", refused.Message);
    }

    [Fact]
    public void FindingsNameTheirFlowsByTheIdsOfFlowsJsonl()
    {
        Run(Capture(135, 22, 22));

        var flows = File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(flow => flow.GetProperty("id").GetInt64());
        // Ids are the run ordinals of the packets that opened the flows (a SYN and its SYN-ACK each).
        Assert.Equal([1L, 3L, 5L], flows.Keys.Order());
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        var finding = Assert.Single(report.RootElement.GetProperty("findings").EnumerateArray().ToList());
        var evidence = finding.GetProperty("evidence");
        var ids = evidence.GetProperty("flowIds").EnumerateArray().Select(id => id.GetInt64()).ToList();
        Assert.Equal([3L, 5L], ids);
        Assert.Equal(ids.Count, evidence.GetProperty("flows").GetInt32());
        Assert.All(ids, id => Assert.Equal("unexpected", flows[id].GetProperty("verdict").GetString()));
        foreach (var sample in evidence.GetProperty("samples").EnumerateArray())
        {
            var flow = flows[sample.GetProperty("id").GetInt64()];
            Assert.Equal(flow.GetProperty("communityId").GetString(), sample.GetProperty("communityId").GetString());
            Assert.Equal(flow.GetProperty("clientPort").GetInt32(), sample.GetProperty("clientPort").GetInt32());
        }
    }

    [Fact]
    public void PeriodicRequiredRuleNeverSeenBetweenHostsThatTalkFailsOnMissing()
    {
        var outcome = Run(Capture(22), s => s with { FailOn = [FindingKind.Missing], MinimumSpan = TimeSpan.Zero }, periodic: true);

        Assert.Equal(1, outcome.FailingFindings);
        Assert.Equal("demo-epm", Assert.Single(outcome.Report.Findings, f => f.Kind == FindingKind.Missing).Rule);
    }
}
