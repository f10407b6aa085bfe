using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Live;

namespace PortAudit.Tests.Sources.Live;

[Trait(Tier.Name, Tier.Live)]
public class LiveCaptureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LiveFact]
    public void LoopbackTrafficBecomesFlowsWithNothingDropped()
    {
        using var traffic = new LoopbackTraffic();
        using var stop = new CancellationTokenSource();
        var options = new LiveCaptureOptions { Interfaces = ["lo"], Filter = traffic.Filter, BufferSizeBytes = 4 << 20 };
        using var reader = LiveCaptureReader.Open(options, stop.Token);
        string path = _dir.File("lo.pcapng");
        var ended = new PortAudit.Tests.Flows.FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), ended);
        var flows = new TrafficReader(table);
        var recorder = new RotatingPcapNgWriter(path, reader.Interfaces, default);
        var capture = Task.Run(() => flows.Read(new RecordingCaptureReader(reader, recorder)));

        traffic.Send();
        stop.Cancel();
        Assert.True(capture.Wait(TimeSpan.FromSeconds(10)), "the capture did not stop within 10 s of the request");
        capture.GetAwaiter().GetResult();
        recorder.Dispose();
        table.Flush();
        var statistics = Assert.Single(reader.Statistics());

        Assert.Empty(flows.Errors);
        Assert.Equal(2, ended.Flows.Count);
        var udp = Assert.Single(ended.Flows, f => f.Protocol == IpProtocol.Udp);
        Assert.Equal(traffic.UdpClientPort, udp.ClientPort);
        Assert.Equal(traffic.UdpServerPort, udp.ServerPort);
        Assert.Equal(LoopbackTraffic.Datagrams, udp.PacketsToServer);
        Assert.Equal(LoopbackTraffic.Datagrams, udp.PacketsToClient);
        var tcp = Assert.Single(ended.Flows, f => f.Protocol == IpProtocol.Tcp);
        Assert.Equal(traffic.TcpClientPort, tcp.ClientPort);
        Assert.Equal(traffic.TcpServerPort, tcp.ServerPort);
        Assert.Equal(FlowState.Established, tcp.State);
        Assert.InRange(tcp.PacketsToServer, 3, 10);
        Assert.InRange(tcp.PacketsToClient, 2, 10);

        long packets = flows.Statistics.Packets;
        Assert.Equal(udp.PacketsToServer + udp.PacketsToClient + tcp.PacketsToServer + tcp.PacketsToClient, packets);
        Assert.Equal(0, statistics.Dropped);
        Assert.True(statistics.Received >= packets, $"libpcap received {statistics.Received} < {packets} read");
        Assert.Equal(packets, recorder.Packets);
        using var saved = CaptureFile.Open(path);
        long savedPackets = 0;
        while (saved.TryRead(out var record))
        {
            savedPackets++;
            Assert.Equal(reader.Interfaces[0].LinkType, record.LinkType);
        }
        Assert.Equal(packets, savedPackets);
        Console.WriteLine($"live lo: {packets} packets read, libpcap received {statistics.Received}, dropped {statistics.Dropped}");
    }

    [LiveFact]
    public void AStopUnderTrafficSavesEveryPacketLibpcapHadAcceptedAndCountsThemAtTheStop()
    {
        // Stopped while datagrams keep coming: before, the counters were read after the read ended and the kernel's
        // last partly filled batch was left behind, so libpcap counted about a hundred packets the file lacked.
        using var traffic = new LoopbackTraffic();
        for (int round = 0; round < 5; round++)
        {
            using var stop = new CancellationTokenSource();
            using var sending = new CancellationTokenSource();
            var options = new LiveCaptureOptions { Interfaces = ["lo"], Filter = $"udp port {traffic.UdpServerPort}" };
            using var reader = LiveCaptureReader.Open(options, stop.Token);
            string path = _dir.File($"stop{round}.pcapng");
            var recorder = new RotatingPcapNgWriter(path, reader.Interfaces, default);
            var recording = new RecordingCaptureReader(reader, recorder);
            long read = 0;
            var capture = Task.Run(() => { while (recording.TryRead(out _)) Interlocked.Increment(ref read); });
            var sender = Task.Run(() => traffic.SendDatagramsUntil(sending.Token));
            // Stopped once packets flow (a loaded machine may take a while to schedule the sender), mid-stream.
            var started = System.Diagnostics.Stopwatch.StartNew();
            while (Interlocked.Read(ref read) < 100 && started.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(10);
            Thread.Sleep(100);
            stop.Cancel();
            Assert.True(capture.Wait(TimeSpan.FromSeconds(10)), "the capture did not stop within 10 s of the request");
            sending.Cancel();
            long sent = sender.Result;
            recorder.Dispose();
            var statistics = Assert.Single(reader.Statistics());

            Assert.True(statistics.Received > 0, $"round {round}: libpcap received nothing of {sent} datagrams");
            Assert.Equal(statistics.Received - statistics.Dropped, reader.Packets);
            Assert.Equal(reader.Packets, recorder.Packets);
            Assert.Equal(reader.Packets, CountPackets(path));
            Console.WriteLine($"stop {round}: sent {sent}, libpcap received {statistics.Received} at the stop, " +
                              $"dropped {statistics.Dropped}, saved {reader.Packets}");
        }
    }

    private static long CountPackets(string path)
    {
        using var saved = CaptureFile.Open(path);
        long packets = 0;
        while (saved.TryRead(out _)) packets++;
        return packets;
    }

    [LiveFact]
    public void PacketLimitEndsTheRead()
    {
        using var traffic = new LoopbackTraffic();
        var options = new LiveCaptureOptions { Interfaces = ["lo"], Filter = traffic.Filter, PacketLimit = 3, Immediate = true };
        using var reader = LiveCaptureReader.Open(options, default);
        var sender = Task.Run(traffic.Send);
        long read = 0;
        var reading = Task.Run(() => { while (reader.TryRead(out _)) read++; });
        Assert.True(reading.Wait(TimeSpan.FromSeconds(10)), "the read did not end at the packet limit");
        Assert.True(sender.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, read);
        Assert.Equal(3, reader.Packets);
    }

    [LiveFact]
    public void ReadingAllocatesNothingPerPacket()
    {
        // Sent before reading starts, so the burst must fit the ring; batch mode packs small packets densely.
        const int count = 2000;
        const int warmUp = 200;
        using var traffic = new LoopbackTraffic();
        var options = new LiveCaptureOptions { Interfaces = ["lo"], Filter = traffic.Filter, PacketLimit = count };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var reader = LiveCaptureReader.Open(options, timeout.Token);
        traffic.SendDatagrams(count);
        long bytes = 0;
        // The first packets pay for JIT compilation and first-call setup; the rest must cost nothing.
        for (int i = 0; i < warmUp; i++)
        {
            Assert.True(reader.TryRead(out var warm));
            bytes += warm.Data.Length;
        }
        // Counted in rounds of 200 packets: the runtime's own bytes on this thread (a method tiered up, once counted at
        // 8,040 bytes beside the whole suite) fall in one round, while one object per packet (4.8 KB a round) is in all.
        const int round = 200;
        var allocated = new List<long>();
        bool more = true;
        while (more)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int read = 0;
            while (read < round && (more = reader.TryRead(out var packet)))
            {
                bytes += packet.Data.Length;
                read++;
            }
            if (read > 0) allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.False(timeout.IsCancellationRequested, $"only {reader.Packets} of {count} packets arrived within 10 s: {reader.Statistics()[0]}");
        Assert.Equal(count, reader.Packets);
        Assert.Equal(reader.BytesRead, bytes);
        Assert.Equal(0, reader.Statistics()[0].Dropped);
        Assert.Equal((count - warmUp) / round, allocated.Count);
        long median = allocated.Order().ElementAt(allocated.Count / 2);
        Assert.True(median < 1024, $"bytes allocated per round of {round} packets: {string.Join(", ", allocated)}");
    }

    [LiveFact]
    public void HeartbeatRunsAndStopIsPromptWithoutTraffic()
    {
        using var stop = new CancellationTokenSource();
        var options = new LiveCaptureOptions
        {
            Interfaces = ["lo"], Filter = "udp port 9 and host 127.0.0.254", HeartbeatInterval = TimeSpan.FromMilliseconds(50),
        };
        using var reader = LiveCaptureReader.Open(options, stop.Token);
        int beats = 0;
        reader.Heartbeat = () => beats++;
        var reading = Task.Run(() => reader.TryRead(out _));
        // At least 400 ms, and until two beats came: a loaded machine may not schedule the reader at once.
        var started = System.Diagnostics.Stopwatch.StartNew();
        Thread.Sleep(400);
        while (Volatile.Read(ref beats) < 2 && started.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(10);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        stop.Cancel();
        Assert.True(reading.Wait(TimeSpan.FromSeconds(5)), "the read did not notice the stop");
        Assert.False(reading.Result);
        // About three timeouts (300 ms) when idle; the margin is for a loaded machine.
        Assert.True(watch.ElapsedMilliseconds < 3000, $"stop took {watch.ElapsedMilliseconds} ms");
        Assert.True(beats >= 2, $"heartbeat ran {beats} times in {started.ElapsedMilliseconds} ms at a 50 ms interval");
    }

    [LiveFact]
    public void WhenTheReadIsLateTheCountersSayWhatWasLostAndThePacketsComeInTheirOrder()
    {
        // The reading thread is held in its wait (where the pipelined reader hands its batch on) while 12,000 datagrams
        // go into a 1 MB buffer: four of libpcap's 256 KB blocks, each holding about 2,000 of these packets. The buffer
        // overflows, and libpcap's counters must say so (SharpPcap's own said 0 dropped here: KernelCounters).
        const int count = 12_000;
        var held = Hold(count);
        Console.WriteLine($"held: received {held.Statistics.Received}, dropped {held.Statistics.Dropped}, read {held.Numbers.Count}");
        Assert.True(held.Statistics.Dropped > 0, $"the held read lost nothing ({held.Numbers.Count} read): the test holds too little");
        Assert.InRange(held.Numbers.Count + 1, 1, held.Statistics.Received - held.Statistics.Dropped);
        // What came through came in the order sent.
        Assert.Equal(held.Numbers.Order(), held.Numbers);
        Assert.Equal(held.Numbers.Distinct().Count(), held.Numbers.Count);
    }

    [LiveFact]
    public void DropsOfALiveSourceReachTheRunThatReadsIt()
    {
        // The same late read through the source a run reads: the drops libpcap counted must be handed to the run (and so
        // to the audit's report), not only shown on the summary line. Before IFlowSink.Dropped nothing carried them.
        var held = Hold(12_000, throughSource: true);
        Assert.True(held.Statistics.Dropped > 0, $"the held read lost nothing ({held.Numbers.Count} read): the test holds too little");
        Assert.Equal(held.Statistics.Dropped, held.ReportedDropped);
    }

    private sealed record HeldRead(InterfaceStatistics Statistics, List<int> Numbers, long ReportedDropped);

    private static HeldRead Hold(int count, bool throughSource = false)
    {
        using var traffic = new LoopbackTraffic();
        using var stop = new CancellationTokenSource();
        var options = new LiveCaptureOptions
        {
            Interfaces = ["lo"], Filter = $"udp dst port {traffic.UdpServerPort}", SnapLength = 128, BufferSizeBytes = 1 << 20,
        };
        using var sink = new HoldingSink();
        IDisposable opened;
        Action read;
        Func<InterfaceStatistics> statistics;
        if (throughSource)
        {
            var source = LiveCaptureSource.Open(options, null, default, stop.Token);
            (opened, read, statistics) = (source, () => source.ReadInto(sink, default), () => source.Statistics[0]);
        }
        else
        {
            var reader = LiveCaptureReader.Open(options, stop.Token);
            (opened, read, statistics) = (reader, () => sink.ReadPackets(reader, live: true), () => reader.Statistics()[0]);
        }
        using (opened)
        {
            var reading = new Thread(() => read());
            reading.Start();
            traffic.SendNumbered(1, 1);
            SpinWait.SpinUntil(() => sink.Packets > 0, TimeSpan.FromSeconds(10));
            traffic.SendNumbered(count, 50);
            sink.Sent.Set();
            // Read until every datagram came or, once lost ones cannot come any more, for a second.
            SpinWait.SpinUntil(() => sink.Packets >= count + 1, TimeSpan.FromSeconds(1));
            stop.Cancel();
            Assert.True(reading.Join(TimeSpan.FromSeconds(10)), "the read did not end within 10 s of the stop");
            // The first datagram, number 0, only opened the read.
            return new HeldRead(statistics(), sink.Numbers.GetRange(1, Math.Max(0, sink.Numbers.Count - 1)), sink.ReportedDropped);
        }
    }

    /// <summary>
    /// Reads a live capture as a run does, but holds the reading thread in its first wait after the first packet (where
    /// the pipelined reader hands its batch on) until <see cref="Sent"/> is set; keeps each datagram's number.
    /// </summary>
    private sealed class HoldingSink : IFlowSink, IDisposable
    {
        private long _packets;

        public ManualResetEventSlim Sent { get; } = new();
        public List<int> Numbers { get; } = [];
        public long Packets => Volatile.Read(ref _packets);
        public long ReportedDropped { get; private set; }

        public void ReadPackets(ICaptureReader reader, bool live, Func<ICaptureReader>? reopen = null)
        {
            int waits = 0;
            reader.Waiting = () =>
            {
                if (Packets > 0 && waits++ == 0) Sent.Wait(TimeSpan.FromSeconds(20));
            };
            while (reader.TryRead(out var packet))
            {
                Numbers.Add(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(packet.Data[^4..]));
                Interlocked.Increment(ref _packets);
            }
        }

        public void Dropped(long packets) => ReportedDropped += packets;

        public void AddFlow(Func<long, Flow> create) => throw new NotSupportedException("a live capture hands packets");
        public RecordStatistics Records { get; } = new();
        public IServerPortHint ServerPorts => throw new NotSupportedException("a live capture hands packets");
        public void Fail(InputException error) => throw error;
        public void Dispose() => Sent.Dispose();
    }
}
