using System.Text;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Pipeline;

/// <summary>
/// A run split over shards gives the flows of one table, in the same order, with the same ids: the records written are
/// byte for byte those of a run with one worker.
/// </summary>
[Trait("Tier", "unit")]
public sealed class ShardedRunTests
{
    private static string Records(int workers, params string[] paths)
    {
        var output = new MemoryStream();
        var writer = FlowRecordWriters.Create("json", output, PortAudit.Cli.ConsoleTables.For(toStandardOutput: false));
        var run = new TrafficRun(new FlowTableOptions { Workers = workers, InitialFlowCapacity = 256 }, new FlowRecordObserver(writer));
        run.Read(CaptureFileSource.Of(paths));
        writer.Complete();
        Assert.Empty(run.Summary.Errors);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    // Many host pairs, endpoint-mapper answers and the RPC they announce, ICMP errors, fragments, SIP.
    private static readonly string[] Captures =
    [
        "dcerpc.pcap", "zeek-dce-rpc-cs_window7-join_stream092.pcap", "zeek-icmp-icmp-destunreach-ip.pcap",
        "dns_fragmented.pcap", "sip.pcap", "kerberos-login.pcap", "6in4tunnel.pcap",
    ];

    [SharedDataFact("captures")]
    public void SplitRunsWriteTheRecordsOfOneTable()
    {
        foreach (var capture in Captures)
        {
            string path = SharedData.Path("captures/" + capture)!;
            string one = Records(1, path);
            Assert.NotEmpty(one);
            Assert.True(one == Records(2, path), $"{capture}: two workers");
            Assert.True(one == Records(5, path), $"{capture}: five workers");
        }
    }

    [SharedDataFact("bench/base.pcap")]
    public void TheBenchCaptureSplitFourWaysWritesTheRecordsOfOneTable()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        string one = Records(1, path);
        string four = Records(4, path);
        Assert.True(one.Length > 1_000_000, "the bench capture holds thousands of flows");
        Assert.Equal(one, four);
    }

    [SharedDataFact("captures/dcerpc.pcap")]
    public void IdsStayUniqueAcrossInputs()
    {
        string path = SharedData.Path("captures/dcerpc.pcap")!;
        var ids = Records(2, path, path).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Records(1, path, path), Records(2, path, path));
    }

    // A tunnel's carrier is counted by every shard that holds a flow it carries, and ends after every input.
    [SharedDataFact("captures")]
    public void Tunnel_carriers_split_over_shards_and_inputs_keep_one_tables_ids()
    {
        string[] paths = ["6in4tunnel.pcap", "4in4tunnel.pcap", "gre.pcapng", "6in4tunnel.pcap"];
        paths = paths.Select(p => SharedData.Path("captures/" + p)!).ToArray();
        string one = Records(1, paths);
        var flows = one.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(flows.Count, flows.Select(f => f.GetProperty("id").GetInt64()).Distinct().Count());
        // One carrier per pair of ends and protocol, the two reads of 6in4tunnel.pcap in one: 127 packets each.
        var carriers = flows.Where(f => f.GetProperty("transport").GetString() is "ipv6" or "ipip" or "gre").ToList();
        Assert.Equal(3, carriers.Count);
        Assert.Equal(254, carriers[0].GetProperty("packetsToServer").GetInt64() + carriers[0].GetProperty("packetsToClient").GetInt64());
        Assert.Equal(one, Records(2, paths));
        Assert.Equal(one, Records(3, paths));
    }

    // An ICMP error about a tunnel's packet goes to the shard of the tunnel's ends, the packets it carries to those of the
    // addresses inside: whichever shard gets the error, it is folded into the carrier when the run met the tunnel before it.
    [Fact]
    public void Errors_about_tunnels_fold_into_their_carriers_however_the_run_is_split_and_read()
    {
        using var directory = new TempDirectory();
        var capture = new PcapBuilder();
        double time = 0;
        void Add(byte[] ipPacket) => capture.Add(Packets.Ethernet(ipPacket), time += 0.001);
        static byte[] Gre(string from, string to, int inner) => Packets.Ipv4(from, to, 47,
            Packets.Gre(0x0800, Packets.Ipv4($"172.16.{inner}.1", $"172.17.{inner}.1", 17, Packets.Udp((ushort)(1000 + inner), 2000))));
        const string Router = "192.0.2.254";
        for (int tunnel = 0; tunnel < 12; tunnel++)
        {
            string a = $"198.51.100.{tunnel + 1}", b = $"203.0.113.{tunnel + 1}";
            // Every third tunnel is first named by an error, before the capture shows it: that error stays a flow.
            if (tunnel % 3 == 0) Add(Packets.Ipv4(Router, a, 1, Packets.Unreachable(false, 13, Gre(a, b, 0)[..28])));
            for (int inner = 0; inner < 6; inner++) Add(Gre(a, b, inner));
            // Every fourth is answered before its error comes.
            if (tunnel % 4 == 0) Add(Gre(b, a, 9));
            Add(Packets.Ipv4(Router, a, 1, Packets.Unreachable(false, (byte)(tunnel % 2 == 0 ? 13 : 4), Gre(a, b, 0)[..28])));
        }
        string path = directory.File("tunnels.pcap");
        File.WriteAllBytes(path, capture.Build());
        string compressed = directory.File("tunnels.pcap.gz");
        File.WriteAllBytes(compressed, Gzip.Compress(File.ReadAllBytes(path)));

        string one = Records(1, path);
        var flows = one.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        var carriers = flows.Where(f => f.GetProperty("transport").GetString() == "gre").ToList();
        Assert.Equal(12, carriers.Count);
        Assert.All(carriers, c => Assert.Equal(1, c.GetProperty("icmpErrors").GetInt32()));
        // Refused (admin-prohibited before any answer): every even tunnel but those answered first; fragmentation needed never.
        Assert.Equal([2, 6, 10], carriers.Select((c, i) => (c, i)).Where(x => x.c.GetProperty("state").GetString() == "rejected").Select(x => x.i));
        Assert.Equal(4, flows.Count(f => f.GetProperty("transport").GetString() == "icmp"));
        foreach (int workers in new[] { 2, 3, 5 })
        {
            Assert.True(one == Records(workers, path), $"{workers} workers, each reading the file");
            Assert.True(one == Records(workers, compressed), $"{workers} workers, dealt from one reader");
        }
    }

    // A compressed file is read once, by the decoding thread that deals its packets; a plain one by every shard.
    [SharedDataFact("captures/dcerpc.pcap")]
    public void A_compressed_capture_dealt_to_the_shards_writes_the_records_of_one_table()
    {
        string path = SharedData.Path("captures/dcerpc.pcap")!;
        using var directory = new TempDirectory();
        string compressed = directory.File("dcerpc.pcap.gz");
        using (var input = File.OpenRead(path))
        using (var output = new System.IO.Compression.GZipStream(File.Create(compressed), System.IO.Compression.CompressionLevel.Fastest))
            input.CopyTo(output);
        Assert.Equal(Records(1, path), Records(2, compressed));
    }

    // Each shard reads the file on its own thread, the replicas up to ReplicaPace.Lead records apart: a stop request ends
    // every one at the same record, so the interrupted run holds what one table holds after that record, and its
    // statistics count the decode outcome of every record it counted.
    [SharedDataFact("bench/base.pcap")]
    public async Task A_stop_request_ends_every_shard_of_a_split_read_at_the_same_record()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        using var stop = new CancellationTokenSource();
        var output = new MemoryStream();
        var writer = FlowRecordWriters.Create("json", output, PortAudit.Cli.ConsoleTables.For(toStandardOutput: false));
        // Progress comes every 65,536 packets: the first asks the read to stop, thousands of packets before its end (80,444),
        // where the other shard may be anywhere, even done.
        var run = new TrafficRun(new FlowTableOptions { Workers = 2, InitialFlowCapacity = 256 }, new FlowRecordObserver(writer))
        {
            Progress = _ => stop.Cancel(),
        };
        await TimeBound.Within(TimeSpan.FromSeconds(60), "the split read", () => { run.Read(CaptureFileSource.Of([path]), stop.Token); return true; });
        writer.Complete();
        Assert.True(stop.IsCancellationRequested);

        var traffic = run.Summary.Traffic;
        Assert.InRange(traffic.Packets, 65_536, 80_444);
        Assert.Equal(traffic.Packets, Enum.GetValues<PortAudit.Decode.DecodeStatus>().Sum(traffic.Count));
        using var directory = new TempDirectory();
        string head = directory.File("head.pcap");
        CopyFirstRecords(path, head, traffic.Packets);
        Assert.True(Records(1, head) == Encoding.UTF8.GetString(output.ToArray()),
            $"the flows of one table reading the first {traffic.Packets} records");
    }

    // The pcap file at source cut after its first count records (little-endian classic pcap).
    private static void CopyFirstRecords(string source, string destination, long count)
    {
        byte[] bytes = File.ReadAllBytes(source);
        int offset = 24;
        for (long i = 0; i < count; i++) offset += 16 + BitConverter.ToInt32(bytes, offset + 8);
        File.WriteAllBytes(destination, bytes[..offset]);
    }

    [Fact]
    public async Task A_replica_far_ahead_waits_for_the_slowest_until_it_catches_up_or_is_done()
    {
        using var pace = new PortAudit.Pipeline.Shards.ReplicaPace(2, 0, CancellationToken.None);
        pace.Reached(1, 10);
        var ahead = Task.Run(() => pace.Reached(0, PortAudit.Pipeline.Shards.ReplicaPace.Lead + 100));
        Assert.False(await EndsWithin(ahead, 200), "more than the lead ahead: it waits");
        pace.Reached(1, 200);
        Assert.True(await EndsWithin(ahead, 5000), "the slowest caught up to within the lead");
        var far = Task.Run(() => pace.Reached(0, 10 * PortAudit.Pipeline.Shards.ReplicaPace.Lead));
        Assert.False(await EndsWithin(far, 200));
        pace.Done(1, 200);
        Assert.True(await EndsWithin(far, 5000), "a replica done holds nobody back");
    }

    [Fact]
    public void A_stop_is_agreed_at_one_hand_over_past_every_replicas_place()
    {
        using var pace = new PortAudit.Pipeline.Shards.ReplicaPace(3, 0, CancellationToken.None);
        pace.Reached(0, 8192);
        pace.Reached(1, 40960);
        pace.Reached(2, 4096);
        // The furthest report, and one more hand-over a replica may have passed without reporting it yet.
        Assert.Equal(40960 + 2 * 4096, pace.StopAt(4096));
        pace.Reached(1, 45056);
        Assert.Equal(40960 + 2 * 4096, pace.StopAt(4096));
    }

    [Fact]
    public void A_replica_done_sets_the_stop_at_or_past_its_end()
    {
        using var pace = new PortAudit.Pipeline.Shards.ReplicaPace(2, 0, CancellationToken.None);
        pace.Reached(0, 4096);
        pace.Done(1, 70000);
        Assert.True(pace.StopAt(4096) >= 70000, "the others read to the end of input the done replica reached");
    }

    [Fact]
    public void An_aborted_run_stops_every_replica_at_once()
    {
        using var abort = new CancellationTokenSource();
        using var pace = new PortAudit.Pipeline.Shards.ReplicaPace(2, 0, abort.Token);
        pace.Reached(0, 4096);
        abort.Cancel();
        Assert.Equal(long.MinValue, pace.StopAt(4096));
    }

    [Fact]
    public async Task A_replica_waiting_for_the_slowest_stops_when_the_run_is_aborted()
    {
        using var abort = new CancellationTokenSource();
        using var pace = new PortAudit.Pipeline.Shards.ReplicaPace(2, 0, abort.Token);
        var waiting = Task.Run(() => pace.Reached(0, 2 * PortAudit.Pipeline.Shards.ReplicaPace.Lead));
        Assert.False(await EndsWithin(waiting, 200));
        abort.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    // True when task ends (in any way) within milliseconds; it is awaited for its outcome by the caller.
    private static async Task<bool> EndsWithin(Task task, int milliseconds) =>
        await Task.WhenAny(task, Task.Delay(milliseconds)) == task;

    [SharedDataFact("captures/dcerpc.pcap")]
    public void AConsumerThatFailsStopsTheSplitRunWithItsError()
    {
        var run = new TrafficRun(new FlowTableOptions { Workers = 3 }, new Failing());
        var read = Task.Run(() => run.Read(CaptureFileSource.Of([SharedData.Path("captures/dcerpc.pcap")!])));
        var error = Assert.Throws<AggregateException>(() => read.Wait(TimeSpan.FromSeconds(30))).InnerException;
        Assert.Equal("consumer failed", Assert.IsType<InvalidOperationException>(error).Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Every_shard_takes_an_equal_share_of_the_host_pairs(int count)
    {
        var random = new Random(46);
        var dealt = new int[count];
        const int Pairs = 60_000;
        for (int i = 0; i < Pairs; i++)
        {
            var packet = new PortAudit.Decode.DecodedPacket
            {
                Source = PortAudit.Common.IpAddr.FromV4((uint)random.Next()),
                Destination = PortAudit.Common.IpAddr.FromV4((uint)random.Next()),
            };
            dealt[PortAudit.Pipeline.Shards.FlowShards.ShardOf(packet, count)]++;
        }
        // The threads, not the shares, balance the cores (ShardScheduler): the shared shard's batches go to whoever is free.
        double share = (double)Pairs / count;
        for (int i = 0; i < count; i++) Assert.InRange(dealt[i], 0.95 * share, 1.05 * share);
    }

    // Fifteen host pairs: some are the shared shard's, which the decoder's thread or a worker may work.
    [SharedDataFact("captures/netbios.pcap")]
    public void A_stage_that_fails_in_the_shared_shard_stops_the_run_with_its_error()
    {
        const int Count = 2;
        int made = 0;
        var stage = new FailingStage();
        // Shards are made in order: the last made is the shared one.
        var shards = new PortAudit.Pipeline.Shards.FlowShards(Count, new FlowTableOptions { Workers = Count },
            _ => ++made == Count ? [stage] : [], [new PortAudit.Tests.Flows.FlowCollector { ReadsPackets = false }]);
        var reader = new TrafficReader(new FlowTable(new FlowTableOptions()));
        using var capture = CaptureFile.Open(SharedData.Path("captures/netbios.pcap")!);

        var read = Task.Run(() => reader.ReadSharded(capture, shards, 1, CancellationToken.None));

        var error = Assert.Throws<AggregateException>(() => read.Wait(TimeSpan.FromSeconds(30))).InnerException;
        Assert.Equal("stage failed", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.Contains(stage.FailedOn, new[] { "portaudit-decode", "portaudit-flows-0" });
    }

    // The first shard reading a file itself leaves the packets of the others undecoded: their decode outcomes come from
    // the shard that decodes them, so a split read counts what one table counts. TCP packets over IPv4 that the peek
    // places but that do not decode, from many host pairs, so that both shards get some.
    [Fact]
    public void A_split_read_counts_the_decode_outcomes_of_one_table()
    {
        var pcap = new PcapBuilder();
        for (int host = 1; host <= 64; host++)
        {
            string client = $"10.0.{host}.1", server = $"10.1.{host}.2";
            pcap.Add(Packets.Ethernet(Packets.Ipv4(client, server, 6, Packets.Tcp(40000, 445, 0x02))), 0.001 * host);
            var malformed = Packets.Ethernet(Packets.Ipv4(client, server, 6, Packets.Tcp(40001, 445, 0x02)));
            malformed[14 + 20 + 12] = 0x10; // a data offset of one word, below TCP's five
            pcap.Add(malformed, 0.001 * host);
            pcap.Add(Packets.Ethernet(Packets.Ipv4(client, server, 6, Packets.Tcp(40002, 445, 0x02))), 0.001 * host, captured: 14 + 20 + 2);
        }
        using var directory = new TempDirectory();
        string path = directory.File("undecoded.pcap");
        File.WriteAllBytes(path, pcap.Build());

        var one = Traffic(1, path);
        var two = Traffic(2, path);

        Assert.Equal(64, one.Count(PortAudit.Decode.DecodeStatus.Malformed));
        Assert.Equal(64, one.Count(PortAudit.Decode.DecodeStatus.Truncated));
        foreach (var status in Enum.GetValues<PortAudit.Decode.DecodeStatus>())
            Assert.True(one.Count(status) == two.Count(status), $"{status}: {one.Count(status)} in one table, {two.Count(status)} split");
        Assert.Equal(one.Packets, two.Packets);
    }

    private static TrafficStatistics Traffic(int workers, string path)
    {
        var run = new TrafficRun(new FlowTableOptions { Workers = workers }, new PortAudit.Tests.Flows.FlowCollector { ReadsPackets = false });
        run.Read(CaptureFileSource.Of([path]));
        return run.Summary.Traffic;
    }

    // Each shard works its packets on its own reading thread: a stage's failure there stops the run with its error, as
    // when the shard works batches dealt to it.
    [SharedDataFact("captures/netbios.pcap")]
    public void A_stage_that_fails_in_the_first_shard_reading_the_file_itself_stops_the_run_with_its_error() =>
        AssertReplicatedRunStopsWithTheStagesError(failing: 1, thread: "portaudit-decode");

    [SharedDataFact("captures/netbios.pcap")]
    public void A_stage_that_fails_in_the_second_shard_reading_the_file_itself_stops_the_run_with_its_error() =>
        AssertReplicatedRunStopsWithTheStagesError(failing: 2, thread: "portaudit-read-1");

    private static void AssertReplicatedRunStopsWithTheStagesError(int failing, string thread)
    {
        const int Count = 2;
        int made = 0;
        var stage = new FailingStage();
        var path = SharedData.Path("captures/netbios.pcap")!;
        var shards = new PortAudit.Pipeline.Shards.FlowShards(Count, new FlowTableOptions { Workers = Count },
            _ => ++made == failing ? [stage] : [], [new PortAudit.Tests.Flows.FlowCollector { ReadsPackets = false }]);
        var reader = new TrafficReader(new FlowTable(new FlowTableOptions()));
        using var capture = CaptureFile.Open(path);

        var read = Task.Run(() => reader.ReadReplicated(capture, () => CaptureFile.Open(path), shards, 1, CancellationToken.None));

        var error = Assert.Throws<AggregateException>(() => read.Wait(TimeSpan.FromSeconds(30))).InnerException;
        Assert.Equal("stage failed", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.Equal(thread, stage.FailedOn);
    }

    private sealed class FailingStage : IFlowObserver
    {
        public string? FailedOn { get; private set; }

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload)
        {
            FailedOn = Thread.CurrentThread.Name;
            throw new InvalidOperationException("stage failed");
        }

        public void OnFlowEnd(Flow flow) { }
    }

    private sealed class Failing : IFlowObserver
    {
        public bool ReadsPackets => false;

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow) => throw new InvalidOperationException("consumer failed");
    }
}
