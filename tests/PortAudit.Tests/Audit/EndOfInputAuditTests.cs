using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// The flows still held at the end of input are judged in batches while a second thread writes the batch before: the
/// sink must see the same flows, verdicts and order as when each flow is audited as it ends, and the books the same counts.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class EndOfInputAuditTests
{
    private sealed class RecordingSink : IAuditedFlowSink
    {
        public readonly List<(long Id, Verdict Verdict, string? Rule, int Thread)> Written = [];

        public void Write(Flow flow, FlowVerdict verdict) =>
            Written.Add((flow.Id, verdict.Verdict, verdict.Rule?.Id, Environment.CurrentManagedThreadId));
    }

    // Enough flows for several batches, of several verdicts: expected LDAP, unexpected SSH and SMB from outside.
    private static Flow[] Flows() => Enumerable.Range(0, 30_000).Select(i => (i % 3) switch
    {
        0 => new Flow(i + 1, 6, IpAddr.Parse(Ws), (ushort)(1024 + i % 60000), IpAddr.Parse(Dc), 389, i, opened: true),
        1 => new Flow(i + 1, 6, IpAddr.Parse(Ws), (ushort)(1024 + i % 60000), IpAddr.Parse(Dc), 22, i, opened: true),
        _ => new Flow(i + 1, 6, IpAddr.Parse(Outsider), (ushort)(1024 + i % 60000), IpAddr.Parse(Dc), 445, i, opened: true),
    }).ToArray();

    private static AuditContext Context() => AuditContext.Create(AuditFixture.Catalog, LoadInventory(InventoryYaml));

    [Fact]
    public void BatchAtTheEndWritesWhatOneByOneWrites()
    {
        var flows = Flows();
        var one = new RecordingSink();
        var oneByOne = new FlowAuditor(Context(), one);
        foreach (var flow in flows) oneByOne.OnFlowEnd(flow);
        var batch = new RecordingSink();
        var batched = new FlowAuditor(Context(), batch);

        batched.OnFlowsEnd(flows);

        Assert.Equal(one.Written.Select(w => (w.Id, w.Verdict, w.Rule)), batch.Written.Select(w => (w.Id, w.Verdict, w.Rule)));
        Assert.Contains(batch.Written, w => w.Verdict == Verdict.Expected);
        Assert.Contains(batch.Written, w => w.Verdict == Verdict.Unexpected);
        var (expected, actual) = (oneByOne.Complete(), batched.Complete());
        Assert.Equal(expected.Summary.Flows, actual.Summary.Flows);
        Assert.Equal(expected.Findings.Select(f => (f.Kind, f.ClientHost, f.ServerHost, f.Ports, f.Tally.Flows)),
            actual.Findings.Select(f => (f.Kind, f.ClientHost, f.ServerHost, f.Ports, f.Tally.Flows)));
    }

    [Fact]
    public void BatchAtTheEndIsWrittenBesideTheJudgingThread()
    {
        if (Environment.ProcessorCount < 2) return;
        var sink = new RecordingSink();

        new FlowAuditor(Context(), sink).OnFlowsEnd(Flows());

        // The point of the batches: the sink is written from another thread than the one judging.
        Assert.DoesNotContain(sink.Written, w => w.Thread == Environment.CurrentManagedThreadId);
    }

    [Fact]
    public void AFailingSinkFailsTheBatchWithItsOwnError()
    {
        var failing = new FailingSink();

        var error = Assert.Throws<IOException>(() => new FlowAuditor(Context(), failing).OnFlowsEnd(Flows()));

        Assert.Equal("disk full", error.Message);
    }

    [Fact]
    public async Task JudgingAbandonedHalfwayStopsEveryThreadWithTheCancellation()
    {
        // The grace after SIGTERM runs out while the held flows are judged: classifying, booking and writing all stop.
        using var abandon = new CancellationTokenSource();
        var sink = new CancellingSink(abandon, after: 10_000);
        var auditor = new FlowAuditor(Context(), sink) { Abandon = abandon.Token };

        var judging = Task.Run(() => auditor.OnFlowsEnd(Flows()));

        // A hang would end in a TimeoutException instead.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => judging.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.InRange(sink.Written, 10_000, 29_999);
    }

    private sealed class CancellingSink(CancellationTokenSource abandon, int after) : IAuditedFlowSink
    {
        public int Written;

        public void Write(Flow flow, FlowVerdict verdict)
        {
            if (++Written == after) abandon.Cancel();
        }
    }

    private sealed class FailingSink : IAuditedFlowSink
    {
        public void Write(Flow flow, FlowVerdict verdict) => throw new IOException("disk full");
    }
}
