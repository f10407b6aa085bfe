using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Pipeline;

[Trait(Tier.Name, Tier.Unit)]
public class PipelinedReaderTests
{
    [Fact]
    public void PipelinedReadGivesTheSameFlowsAsTheSequentialReadAcrossManyBatches()
    {
        var builder = new PcapBuilder();
        var rng = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            var payload = new byte[rng.Next(0, 1400)];
            ushort port = (ushort)(30000 + rng.Next(500));
            builder.Add(Ethernet(i % 3 == 0
                ? Ipv4("10.0.0.2", "10.0.0.1", 17, Udp(53, port, payload))
                : Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(port, 53, payload))), i * 0.01);
        }
        builder.Add(new byte[] { 1, 2, 3 }, 500);
        var file = builder.Build()[..^2]; // damage at the end: both paths must keep what came before

        var sequential = new FlowRunner();
        using (var reader = CaptureFile.Open("t.pcap", new MemoryStream(file))) sequential.Reader.Read(reader);
        sequential.Table.Flush();
        var pipelined = new FlowRunner();
        using (var reader = CaptureFile.Open("t.pcap", new MemoryStream(file))) pipelined.Reader.ReadPipelined(reader);
        pipelined.Table.Flush();

        static string Describe(PortAudit.Flows.Flow f) =>
            $"{f.Client}:{f.ClientPort}>{f.Server}:{f.ServerPort} {f.PacketsToServer}/{f.BytesToServer} {f.PacketsToClient}/{f.BytesToClient} {f.State} {f.StartNs} {f.EndNs}";
        Assert.Equal(sequential.Flows.Select(Describe), pipelined.Flows.Select(Describe));
        Assert.Equal(500, pipelined.Flows.Count);
        Assert.Equal(sequential.Reader.Statistics.Packets, pipelined.Reader.Statistics.Packets);
        Assert.Equal(sequential.Reader.Errors.Select(e => e.Message), pipelined.Reader.Errors.Select(e => e.Message));
        Assert.Single(pipelined.Reader.Errors);
    }

    [Fact]
    public void AReadInTurnStopsWithinFourThousandRecordsOfAStopRequest()
    {
        var builder = new PcapBuilder();
        for (int i = 0; i < 20_000; i++)
            builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp((ushort)(30000 + i % 500), 53, new byte[20]))), i * 0.01);
        var file = builder.Build();
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        var stopped = new FlowRunner();
        using (var reader = CaptureFile.Open("t.pcap", new MemoryStream(file))) stopped.Reader.Read(reader, stop.Token);
        var whole = new FlowRunner();
        using (var reader = CaptureFile.Open("t.pcap", new MemoryStream(file))) whole.Reader.Read(reader, CancellationToken.None);

        Assert.InRange(stopped.Reader.Statistics.Packets, 1, 4_096);
        Assert.Equal(20_000, whole.Reader.Statistics.Packets);
        Assert.Empty(stopped.Reader.Errors);
    }

    /// <summary>
    /// A reader that plays a live link's script: each step a frame, or null where the link goes quiet. There, as a live
    /// reader does before it waits, it says so (<see cref="ICaptureReader.Waiting"/>), timing the hand-on, then runs
    /// <paramref name="quiet"/>; at the end, <paramref name="atEnd"/>.
    /// </summary>
    private sealed class ScriptedLink(IReadOnlyList<byte[]?> steps, Action? quiet = null, Action? atEnd = null) : ICaptureReader
    {
        private int _next;

        public string Name => "scripted";

        public long BytesRead => 0;

        public Action? Waiting { get; set; }

        public TimeSpan LongestHandOn { get; private set; }

        public bool TryRead(out PacketRecord packet)
        {
            for (; _next < steps.Count; _next++)
            {
                if (steps[_next] is { } frame)
                {
                    packet = new PacketRecord(frame, 1_000_000_000L * (_next + 1), frame.Length, 1, 0);
                    _next++;
                    return true;
                }
                var watch = System.Diagnostics.Stopwatch.StartNew();
                Waiting?.Invoke();
                if (watch.Elapsed > LongestHandOn) LongestHandOn = watch.Elapsed;
                quiet?.Invoke();
            }
            atEnd?.Invoke();
            packet = default;
            return false;
        }

        public void Dispose() { }
    }

    [Fact]
    public void PacketsReadBeforeTheInterfaceGoesQuietReachTheTableWithoutWaitingForMore()
    {
        // Three packets fill no batch: without the hand-on when the reader waits, they would sit on the reading thread
        // until more came, and a live audit would see nothing of a quiet link.
        var frames = Enumerable.Range(0, 3).Select(i => Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp((ushort)(40000 + i), 53, new byte[20])))).ToArray();
        var runner = new FlowRunner();
        bool countedWhileQuiet = false;
        var link = new ScriptedLink([.. frames, null], quiet: () =>
        {
            // Waits until the flow table has counted them, or five seconds pass.
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (runner.Table.Statistics.FlowsCreated == 0 && deadline.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(10);
            countedWhileQuiet = runner.Table.Statistics.FlowsCreated > 0;
        });

        runner.Reader.ReadPipelined(link);

        Assert.True(countedWhileQuiet, "the packets read before the reader waited did not reach the flow table");
        Assert.Null(link.Waiting);
        Assert.Equal(3, runner.Reader.Statistics.Packets);
    }

    /// <summary>A stage that holds the flow table's thread at the first packet until <see cref="Release"/>.</summary>
    private sealed class StalledTable : IFlowObserver
    {
        private readonly ManualResetEventSlim _gate = new();
        private bool _stalled;

        public void OnPacket(PortAudit.Flows.Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload)
        {
            if (_stalled) return;
            _stalled = true;
            // Bounded, so that a reader that does wait for the table is a failed assertion, not a hung run.
            _gate.Wait(TimeSpan.FromSeconds(10));
        }

        public void OnFlowEnd(PortAudit.Flows.Flow flow) { }

        public void Release() => _gate.Set();
    }

    [Fact]
    public void AReaderGoingQuietNeverWaitsForABusyTableAndLosesNoPacket()
    {
        // A live capture hands its partly filled batch on each time the interface goes quiet. When the table's thread
        // was behind and every batch was with it, the capture thread waited for one back, with the kernel's buffer
        // filling meanwhile: now it keeps its batch and goes on reading.
        var frames = Enumerable.Range(0, 12).Select(i => Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp((ushort)(40000 + i), 53, new byte[20])))).ToArray();
        var table = new StalledTable();
        var runner = new FlowRunner(null, table);
        var link = new ScriptedLink(frames.SelectMany(frame => new[] { frame, null }).ToList(), atEnd: table.Release);

        runner.Reader.ReadPipelined(link);
        runner.Table.Flush();

        Assert.True(link.LongestHandOn < TimeSpan.FromSeconds(2), $"a hand-on waited {link.LongestHandOn.TotalMilliseconds:0} ms for the table");
        Assert.Equal(12, runner.Reader.Statistics.Packets);
        Assert.Equal(12, runner.Flows.Count);
    }
}
