using PortAudit.Capture;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Flows;

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
}
