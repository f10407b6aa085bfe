using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Cli;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Pipeline;

/// <summary>
/// A capture read from a pipe whose writer goes silent has the packets read so far worked at once. They sat in a
/// part-filled batch until more came or the run was stopped: a FIFO that sent the lab capture and stayed open had every
/// packet still to inspect after SIGTERM, which under the JIT took rpc past the half-second grace, and its mappings were
/// not written (the SignalTests flake).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class StalledPipeTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-stalled-pipe");

    public void Dispose() => _dir.Dispose();

    // A FIFO, its path and its two ends, the writer's opened beside the reader's (each open waits for the other).
    private async Task<(string Path, FileStream Reader, FileStream Writer)> OpenFifo(string name)
    {
        string path = Path.Combine(_dir.FullName, name);
        Fifo.Make(path);
        var writer = Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Write));
        var reader = new FileStream(path, FileMode.Open, FileAccess.Read);
        return (path, reader, await writer);
    }

    [LinuxFact]
    public async Task A_pipe_tells_its_reader_before_it_waits_and_again_after_each_wait_but_not_while_bytes_are_there()
    {
        var (_, fifo, writer) = await OpenFifo("bytes.fifo");
        // Heard at the latest then, should the pipe never tell its reader.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var _ = writer;
        using var pipe = (CancellablePipe)CancellablePipe.Of(fifo, standardInput: false, stop.Token);
        int told = 0;
        pipe.Waiting = () =>
        {
            // The second time comes after a wait of its own: the stop is then heard at once.
            if (++told == 2) stop.Cancel();
        };
        await writer.WriteAsync(new byte[] { 1, 2, 3, 4 });
        await writer.FlushAsync();

        Assert.Equal(4, pipe.Read(new byte[16]));
        Assert.Equal(0, told);
        Assert.Throws<OperationCanceledException>(() => pipe.Read(new byte[16]));
        Assert.Equal(2, told);
    }

    // A UDP flow, then 200 s later a packet of another: the sweep it brings ends the first (UDP times out at 120 s).
    private static readonly byte[] OneEndedFlow = new PcapBuilder()
        .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(40000, 53, [1, 2, 3]))), 1)
        .Add(Ethernet(Ipv4("10.0.0.3", "10.0.0.4", 17, Udp(40001, 53, [4, 5, 6]))), 201)
        .Build();

    // The FIFO read as a capture (rpc, or flows given a FIFO), or as an input whose kind is told by its first bytes
    // (flows reading standard input), which hands the capture reader the pipe with those bytes put back.
    private static IFlowSource SourceOf(string path, bool detected) => detected ? new RecordFileSource(path) : new CaptureFileSource(path);

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)] // dealt to two shards: the round so far is sent
    [InlineData(1, true)]
    [InlineData(2, true)]
    public async Task Flows_a_silent_pipe_has_ended_reach_the_consumer_before_more_bytes_come(int workers, bool detected)
    {
        // The run opens the FIFO by its path; this reading end, which reads nothing, stays open until the end so that the
        // writer never writes to a FIFO with no reader.
        var (path, idle, writer) = await OpenFifo($"capture-{workers}-{detected}.fifo");
        using var _ = idle;
        var ended = new EndedFlows();
        var run = new TrafficRun(new FlowTableOptions { Workers = workers }, ended);
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(() => run.Read([SourceOf(path, detected)], stop.Token));
        try
        {
            await writer.WriteAsync(OneEndedFlow);
            await writer.FlushAsync();

            Assert.True(ended.First.Wait(TimeSpan.FromSeconds(20)), "the flow ended by the second packet did not reach the consumer while the pipe was silent");
            Assert.Equal(40000, ended.FirstClientPort);
        }
        finally
        {
            stop.Cancel();
            await reading.WaitAsync(TimeSpan.FromSeconds(20));
            await writer.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stop_heard_before_the_first_byte_ends_the_input_with_nothing_read(bool detected)
    {
        // A command signalled before its pipe's writer sent anything threw out of the read, and said that no output was
        // written while flows had put its empty file in place.
        var (path, idle, writer) = await OpenFifo($"silent-{detected}.fifo");
        using var _ = idle;
        await using var __ = writer;
        var run = new TrafficRun(new FlowTableOptions(), new EndedFlows());
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Task.Run(() => run.Read([SourceOf(path, detected)], stop.Token)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, run.Summary.Traffic.Packets);
        Assert.Empty(run.Summary.Errors);
    }

    private sealed class EndedFlows : IFlowObserver
    {
        public ManualResetEventSlim First { get; } = new();

        public int FirstClientPort { get; private set; }

        public bool ReadsPackets => false;

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow)
        {
            if (First.IsSet) return;
            FirstClientPort = flow.ClientPort;
            First.Set();
        }
    }
}
