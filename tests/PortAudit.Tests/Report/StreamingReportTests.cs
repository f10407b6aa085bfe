using PortAudit.Audit;
using PortAudit.Report.Audits;
using PortAudit.Report.Json;

namespace PortAudit.Tests.Report;

/// <summary>report.json leaves the writer as it is produced: no buffer grows to the whole document.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class StreamingReportTests
{
    /// <summary>Records the size of every write that reaches it.</summary>
    private sealed class WriteSizes : Stream
    {
        public List<int> Sizes { get; } = [];

        public override void Write(byte[] buffer, int offset, int count) => Sizes.Add(count);
        public override void Write(ReadOnlySpan<byte> buffer) => Sizes.Add(buffer.Length);
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Sizes.Sum();
        public override long Position { get => Length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void Report_json_reaches_its_stream_in_pieces_of_about_the_flush_threshold()
    {
        var findings = Enumerable.Range(0, 20_000).Select(i => new Finding(FindingKind.Unexpected, $"client{i}", "server", ["workstation"],
            ["domain-controller"], "tcp", (1024 + i % 60000).ToString(), null, "no rule allows it")).ToList();
        var summary = new AuditSummary(findings.Count, 0, new Dictionary<Verdict, long>(), new Dictionary<FindingKind, int>(),
            new CoverageCounts(0, 0, 0, 0, 0));
        var output = new WriteSizes();

        AuditJsonWriter.Write(output, new AuditReport(summary, findings, [], []));

        Assert.True(output.Length > 40 * JsonOutput.FlushThreshold, $"{output.Length} bytes");
        // One finding is a few hundred bytes: no write carries much more than the threshold.
        Assert.All(output.Sizes, size => Assert.True(size < 2 * JsonOutput.FlushThreshold, $"a write of {size} bytes"));
    }
}
