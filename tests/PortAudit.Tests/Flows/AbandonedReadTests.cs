using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Flows;

/// <summary>
/// The end of a read gives up once SIGTERM's grace ran out (issue 43): rpc's end-of-input work, every held flow inspected
/// with no consumer that could stop it, had no deadline. Abandoned, a read ends every flow no further and says so.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AbandonedReadTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-abandon");

    public void Dispose() => _dir.Dispose();

    // Both flows of TwoFlows are still open at the end of input: they end in the end-of-input flush.
    private (TrafficRun Run, FlowCollector Ended, IReadOnlyList<PortAudit.Sources.IFlowSource> Sources) Start(int workers)
    {
        var ended = new FlowCollector { ReadsPackets = false };
        var run = new TrafficRun(new FlowTableOptions { Workers = workers }, ended);
        return (run, ended, CaptureFileSource.Of([_dir.Write("held.pcap", ScratchDirectory.TwoFlows)]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // split over shards: the shards' inspection gives up on their threads
    public void An_abandoned_read_ends_no_held_flow_and_throws(int workers)
    {
        // Not abandoned, the same read ends both held flows.
        var (whole, endedWhole, sources) = Start(workers);
        whole.Read(sources, abandon: new CancellationTokenSource().Token);
        Assert.Equal(2, endedWhole.Flows.Count);

        var (run, ended, _) = Start(workers);
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => run.Read(sources, abandon: stop.Token));
        Assert.Empty(ended.Flows);
    }
}
