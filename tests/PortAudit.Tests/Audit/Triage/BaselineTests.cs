using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Common;
using PortAudit.Report.Audits;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit.Triage;

/// <summary>Baselines and diffs: report.json read back, findings new, unchanged or resolved, and what fails a run.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class BaselineTests : IDisposable
{
    private static readonly DateOnly Today = new(2026, 11, 22);
    private readonly TriageFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static IReadOnlyList<IpPrefix> NoHosts(string host) => [];

    /// <summary>An audit in which a workstation reached the DC on LDAP and on <paramref name="unexpectedPorts"/>, which no rule allows.</summary>
    private static AuditReport Audit(params ushort[] unexpectedPorts)
    {
        var auditor = Auditor();
        auditor.Audit(Established(Ws, Dc, 389));
        foreach (var port in unexpectedPorts) auditor.Audit(Established(Ws, Dc, port));
        return auditor.Complete();
    }

    private string WriteReport(AuditReport report, string name = "report.json")
    {
        string path = Path.Combine(_files.Root, name);
        using (var stream = File.Create(path)) AuditJsonWriter.Write(stream, report);
        return path;
    }

    /// <summary>The baseline of an audit with port 22 open, and suppression entries written and loaded.</summary>
    private (RecordedReport Baseline, IReadOnlyList<Suppression> Suppressions) BaselineAnd(string entries) =>
        (RecordedReportReader.Read(WriteReport(Audit(22))),
         SuppressionLoader.Load(_files.Write("s.yaml", "suppressions:\n" + entries), AuditFixture.Catalog));

    private static AuditReport Triaged(AuditReport report, TriageInputs inputs) =>
        report with { Triage = FindingTriage.Apply(report.Findings, inputs, NoHosts, Today) };

    [Fact]
    public void ReportJsonReadsBackWithEveryFindingsId()
    {
        var report = Audit(22);

        var read = RecordedReportReader.Read(WriteReport(report));

        Assert.Equal(report.Findings.Select(f => f.Id), read.Findings.Select(f => f.Id));
        var unexpected = Assert.Single(read.Findings, f => f.Kind == FindingKind.Unexpected);
        Assert.Equal(("clients", "dc01", "tcp", "22", null, 1L, false),
            (unexpected.ClientHost, unexpected.ServerHost, unexpected.Transport, unexpected.Ports, unexpected.Rule, unexpected.Flows, unexpected.Suppressed));
    }

    [Fact]
    public void FindingsAreNewOrUnchangedAndBaselineFindingsGoneAreResolved()
    {
        var baseline = RecordedReportReader.Read(WriteReport(Audit(22, 25)));

        var report = Triaged(Audit(23, 25), new TriageInputs(null, null, baseline));

        var triage = report.Triage;
        var byPort = report.Findings.Where(f => f.Kind == FindingKind.Unexpected).ToDictionary(f => f.Ports);
        Assert.Equal(["23", "25"], byPort.Keys.Order());
        Assert.Equal(FindingStatus.New, triage.StatusOf(byPort["23"]));
        Assert.Equal(FindingStatus.Unchanged, triage.StatusOf(byPort["25"]));
        var resolved = Assert.Single(triage.Resolved);
        Assert.Equal((FindingKind.Unexpected, "22"), (resolved.Kind, resolved.Ports));
        Assert.Equal(1, triage.Count(report.Findings, FindingStatus.New));
        Assert.Equal(report.Findings.Count - 1, triage.Count(report.Findings, FindingStatus.Unchanged));
    }

    [Fact]
    public void ExitCountHoldsOnlyNewUnsuppressedFindingsOfTheFailOnKinds()
    {
        var (baseline, suppressions) = BaselineAnd("""
              - port: 24
                justification: jump host
                owner: netops
                expires: 2027-01-01
            """);
        FindingKind[] failOn = [FindingKind.Unexpected, FindingKind.Missing];

        var plain = Audit(22, 23, 24);
        var triaged = Triaged(plain, new TriageInputs(suppressions, "s.yaml", baseline));

        int missing = plain.Findings.Count(f => f.Kind == FindingKind.Missing);
        Assert.Equal(3 + missing, plain.CountFailing(failOn));            // no triage: every finding of the kinds counts
        Assert.Equal(1, triaged.CountFailing(failOn));                    // 22 (and any missing one) unchanged, 24 suppressed
        Assert.Equal(0, triaged.CountFailing([FindingKind.Missing]));
        Assert.Equal(0, triaged.CountFailing([FindingKind.Unmapped]));
        Assert.Equal("23", Assert.Single(triaged.Findings, f => triaged.Triage.Fails(f, failOn)).Ports);
    }

    [Fact]
    public void ReportJsonCarriesStatusSuppressionResolvedAndExpiredEntries()
    {
        var (baseline, suppressions) = BaselineAnd("""
              - port: 23
                justification: jump host
                owner: netops
                expires: 2027-01-01
              - kind: missing
                justification: old
                owner: alice
                expires: 2025-01-01
            """);

        var written = RecordedReportReader.Read(WriteReport(Triaged(Audit(23), new TriageInputs(suppressions, "s.yaml", baseline)), "triaged.json"));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_files.Root, "triaged.json")));

        var root = json.RootElement;
        Assert.Equal(["baseline", "resolved", "suppressions"], root.EnumerateObject().Select(p => p.Name).TakeLast(3));
        var first = root.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ports").GetString() == "23");
        Assert.Equal("new", first.GetProperty("status").GetString());
        Assert.Equal("netops", first.GetProperty("suppressed").GetProperty("owner").GetString());
        Assert.Equal("22", Assert.Single(root.GetProperty("resolved").EnumerateArray().ToList()).GetProperty("ports").GetString());
        var expired = Assert.Single(root.GetProperty("suppressions").GetProperty("expired").EnumerateArray().ToList());
        Assert.Equal(("alice", "2025-01-01", "kind=missing"),
            (expired.GetProperty("owner").GetString(), expired.GetProperty("expires").GetString(), expired.GetProperty("match").GetString()));
        Assert.True(Assert.Single(written.Findings, f => f.Ports == "23").Suppressed);
    }

    [Fact]
    public void MarkdownAndConsoleShowTriage()
    {
        var (baseline, suppressions) = BaselineAnd("""
              - kind: missing
                justification: old
                owner: alice
                expires: 2025-01-01
            """);
        var report = Triaged(Audit(23), new TriageInputs(suppressions, "s.yaml", baseline));

        var markdown = new StringWriter();
        AuditMarkdownWriter.Write(markdown, report, "t");
        var console = new StringWriter();
        AuditConsoleSummary.Write(console, report, "out");

        string id = Assert.Single(report.Findings, f => f.Ports == "23").Id;
        Assert.Contains($"| new | {id} | medium | unexpected |", markdown.ToString());
        Assert.Contains("## Resolved since the baseline", markdown.ToString());
        Assert.Contains("| 2025-01-01 | alice | kind=missing | old |", markdown.ToString());
        Assert.Contains("baseline: 1 new,", console.ToString());
        Assert.Contains("1 resolved", console.ToString());
        Assert.Contains("expired suppression", console.ToString());
        Assert.Contains("s.yaml", console.ToString());
    }

    [Fact]
    public void DiffListsNewResolvedAndUnchangedAndFailsOnlyOnNewUnsuppressed()
    {
        var before = RecordedReportReader.Read(WriteReport(Audit(22), "a.json"));
        var after = RecordedReportReader.Read(WriteReport(Audit(23), "b.json"));

        var diff = ReportDiff.Of(before, after);

        Assert.Equal(["23"], diff.New.Select(f => f.Ports));
        Assert.Equal(["22"], diff.Resolved.Select(f => f.Ports));
        Assert.Equal(after.Findings.Count - 1, diff.Unchanged.Count);
        Assert.Equal(1, diff.CountFailing([FindingKind.Unexpected]));
        Assert.Equal(0, diff.CountFailing([FindingKind.Missing]));
        var suppressed = diff with { New = [diff.New[0] with { Suppressed = true }] };
        Assert.Equal(0, suppressed.CountFailing([FindingKind.Unexpected]));
    }

    [Fact]
    public void UnknownFieldsAreIgnoredAndAMissingIdIsComputed()
    {
        var finding = Assert.Single(Audit(22).Findings, f => f.Kind == FindingKind.Unexpected);
        string path = _files.Write("old.json", """
            {"version": 7, "findings": [{"kind": "unexpected", "clientHost": "clients", "serverHost": "dc01",
              "transport": "tcp", "ports": "22", "rule": null, "future": {"x": [1]}}]}
            """);

        var read = Assert.Single(RecordedReportReader.Read(path).Findings);

        Assert.Equal(finding.Id, read.Id);
    }

    [Theory]
    [InlineData("{\"findings\": [{\"kind\": \"unexpected\",, }]}", "byte 36 (line 1): not valid JSON")]
    [InlineData("{\n  \"findings\": [\n    {\"kind\" \"x\"}]}", "byte 30 (line 3): not valid JSON")]
    [InlineData("[1, 2]", "$: not a PortAudit report")]
    [InlineData("{\"findings\": {}}", "$.findings: expected an array")]
    [InlineData("{\"findings\": [{\"kind\": \"unexpected\"}, {\"kind\": 3}]}", "$.findings[0].clientHost: missing")]
    [InlineData("{\"findings\": [{\"kind\": \"odd\"}]}", "$.findings[0].kind: unknown kind 'odd'")]
    public void MalformedBaselineIsRefusedNamingTheFileAndThePlace(string text, string problem)
    {
        string path = _files.Write("bad.json", text);

        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(path));

        Assert.StartsWith($"{path}: {problem}", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'{', 0, (byte)'}', 0 }, 0)] // UTF-16 with its byte order mark
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'f', 0xE9, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, 3)] // Latin-1 é
    public void ABaselineThatIsNotUtf8IsRefusedNamingTheByte(byte[] bytes, int at)
    {
        string path = Path.Combine(_files.Root, "latin1.json");
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(path));

        Assert.Equal($"{path}: not UTF-8 at byte {at}", ex.Message);
    }

    [Fact]
    public void MissingBaselineIsRefused()
    {
        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(Path.Combine(_files.Root, "none.json")));

        Assert.EndsWith("none.json: report not found", ex.Message);
    }

    [Fact]
    public void AnOutputDirectoryGivenAsTheBaselineIsSaidToBeOne()
    {
        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(_files.Root));

        Assert.Equal($"{_files.Root}: report expected, found a directory: give its report.json", ex.Message);
    }
}
