using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Flows;

/// <summary>The hot path (read, decode, count) must not allocate per packet: memory is driven by flows.</summary>
[Trait(Tier.Name, Tier.Unit)]
[Collection(ProcessWideAllocation.Name)]
public class AllocationTests
{
    /// <summary>A capture of <paramref name="packets"/> packets spread over the same 8 TCP flows.</summary>
    private static byte[] KnownFlows(int packets)
    {
        var builder = new PcapBuilder();
        var frames = Enumerable.Range(0, 8).Select(i =>
            Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp((ushort)(50000 + i), 443, Ack, data: new byte[100])), 0x8100)).ToArray();
        for (int i = 0; i < packets; i++) builder.Add(frames[i % frames.Length], i * 0.001);
        return builder.Build();
    }

    [Fact]
    public void ReadingDecodingAndCountingPacketsOfKnownFlowsAllocatesNothingPerPacket()
    {
        const int packets = 20_000;
        var file = KnownFlows(packets);

        var table = new FlowTable(new FlowTableOptions());
        var reader = new TrafficReader(table);
        using var capture = CaptureFile.Open("hot.pcap", new MemoryStream(file));
        // Warm up: create the flows and let the JIT settle, then measure the steady state.
        for (int i = 0; i < 1000 && capture.TryRead(out var warm); i++)
        {
            if (PortAudit.Decode.PacketDecoder.Decode(warm.LinkType, warm.Data, out var p) == PortAudit.Decode.DecodeStatus.Ok)
                table.Add(ref p, warm.Data, warm.TimestampNs);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        reader.Read(capture);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(packets, 1000 + reader.Statistics.Packets);
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated for {reader.Statistics.Packets} packets");
    }

    [Fact]
    public void FileCommandsPipelinedReadAllocatesNothingPerPacketOnEitherThread()
    {
        const int small = 20_000, large = 100_000;
        using var dir = new TempDirectory();
        string smallPath = dir.File("small.pcap"), largePath = dir.File("large.pcap");
        File.WriteAllBytes(smallPath, KnownFlows(small));
        File.WriteAllBytes(largePath, KnownFlows(large));

        // The run the file commands make: open, read and decode on the decoding thread, count and inspect on this one, flush.
        // The whole process is counted (precise: true), so the decoding thread's allocations are in; the collection keeps
        // other tests from running meanwhile. What a read allocates once (batches, buffers, the thread, 8 flows) is the
        // same for both captures, so the difference is what the extra packets cost.
        static long Allocated(string path, int packets)
        {
            var run = new TrafficRun(new FlowTableOptions());
            var sources = CaptureFileSource.Of([path]);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            run.Read(sources);
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.Empty(run.Summary.Errors);
            Assert.Equal(packets, run.Summary.Traffic.Packets);
            return allocated;
        }
        for (int i = 0; i < 2; i++) Allocated(largePath, large); // warm up both threads' code, through the JIT's tiers
        long once = Enumerable.Range(0, 3).Min(_ => Allocated(smallPath, small));
        long more = Enumerable.Range(0, 3).Min(_ => Allocated(largePath, large));

        double perPacket = (double)(more - once) / (large - small);
        // One object per packet would be 24 bytes or more; the runtime's own noise is a few kilobytes over the whole read.
        Assert.True(perPacket < 0.5, $"{perPacket:0.000} bytes per packet: {once} bytes for {small} packets, {more} for {large}");
    }
}

/// <summary>Tests that count the allocations of the whole process run alone, so that no other test's are counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideAllocation
{
    /// <summary>The collection's name.</summary>
    public const string Name = "process-wide allocation";
}
