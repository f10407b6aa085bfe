using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Report.Audits;
using PortAudit.Sources.Records;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Rejected flow records make a report incomplete above a threshold (issue 43: "records rejected above a threshold"),
/// where the first one did: more than 1% of the records seen or more than 1,000 (<see cref="RecordCounts"/>). Their
/// number is in report.json and the console summary whatever it is.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class RejectedRecordsTests : IDisposable
{
    private readonly InProcessAudit _audit = new();

    public void Dispose() => _audit.Dispose();

    // good records, one flow each, then bad ones (an address that is none), audited in process as the audit command does.
    private (AuditReport Report, JsonElement Json) Audit(int good, int bad)
    {
        string path = Path.Combine(_audit.Root, "conn.log");
        File.WriteAllText(path, ConnLogs.WithRejected(good, bad));
        using var run = _audit.Open();
        var outcome = run.Run([new RecordFileSource(path, RecordFormat.ZeekTsv)]);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_audit.OutDir, AuditReportFiles.Json)));
        return (outcome.Report, json.RootElement.Clone());
    }

    private static string Console(AuditReport report)
    {
        var text = new StringWriter();
        AuditConsoleSummary.Write(text, report, "out");
        return text.ToString();
    }

    [Fact]
    public void One_rejected_record_in_a_hundred_leaves_the_report_complete_and_counted()
    {
        var (report, json) = Audit(good: 990, bad: 10);

        Assert.True(json.GetProperty("complete").GetBoolean());
        Assert.Equal(990, json.GetProperty("records").GetProperty("read").GetInt64());
        Assert.Equal(10, json.GetProperty("records").GetProperty("rejected").GetInt64());
        Assert.StartsWith("audit: 990 flows", Console(report));
        Assert.Contains("records: 990 read, 10 rejected (at most 1% and 1000: the report stays complete)", Console(report));
    }

    [Fact]
    public void More_than_one_in_a_hundred_makes_the_report_incomplete()
    {
        var (report, json) = Audit(good: 989, bad: 11);

        Assert.False(json.GetProperty("complete").GetBoolean());
        Assert.Equal(["records rejected"], json.GetProperty("incomplete").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(11, json.GetProperty("records").GetProperty("rejected").GetInt64());
        Assert.StartsWith("audit: INCOMPLETE (records rejected): 989 flows", Console(report));
        Assert.Contains("records: 989 read, 11 rejected\n", Console(report).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_capture_has_no_record_counts()
    {
        using var run = _audit.Open();
        run.Run([new PortAudit.Sources.Files.CaptureFileSource(_audit.Capture(135))]);

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_audit.OutDir, AuditReportFiles.Json)));
        Assert.False(json.RootElement.TryGetProperty("records", out _));
    }

    [Theory]
    [InlineData(1_000_000, 1000, false)] // 0.1%, and not more than 1,000
    [InlineData(1_000_000, 1001, true)]  // 0.1%, but more than 1,000: a systematic defect hiding flows
    [InlineData(99, 1, false)]           // 1% exactly
    [InlineData(98, 2, true)]            // 2%
    [InlineData(0, 1, true)]             // every record
    [InlineData(long.MaxValue, 2000, true)]
    public void The_threshold_is_more_than_one_percent_or_more_than_a_thousand(long read, long rejected, bool tooMany) =>
        Assert.Equal(tooMany, new RecordCounts(read, rejected).TooManyRejected);
}
