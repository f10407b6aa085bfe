using PortAudit.Capture;
using PortAudit.Flows;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Flows;

/// <summary>The hot path (read, decode, count) must not allocate per packet: memory is driven by flows.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class AllocationTests
{
    [Fact]
    public void ReadingDecodingAndCountingPacketsOfKnownFlowsAllocatesNothingPerPacket()
    {
        const int packets = 20_000;
        var builder = new PcapBuilder();
        var frames = Enumerable.Range(0, 8).Select(i =>
            Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp((ushort)(50000 + i), 443, Ack, data: new byte[100])), 0x8100)).ToArray();
        for (int i = 0; i < packets; i++) builder.Add(frames[i % frames.Length], i * 0.001);
        var file = builder.Build();

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
}
