using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Sources.Records.Ipfix;
using Xunit.Abstractions;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// NetFlow v5 packets (fixed 48-byte records, no templates) in files and through the collector, checked against the
/// logstash codec's spec for its real samples (softflowd, Juniper MX80).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NetFlowV5Tests(ITestOutputHelper output)
{
    private static string Sample(string name) => SharedData.Path("flowdata/ipfix/logstash-codec-netflow/" + name)!;

    [SharedDataFact("flowdata")]
    public void Softflowd_v5_packets_back_to_back_are_detected_and_give_the_codecs_records()
    {
        var run = RecordRun.File(Sample("netflow5.dat"));
        foreach (var flow in run.Flows) output.WriteLine(RecordRun.Canonical(flow) + " " + flow.State);
        // 12 packets of 2 or 4 records: 2+4+4+4+8×2.
        Assert.Equal((30L, 0L), (run.Records.Read, run.Records.Rejected));
        // The spec's first two records: the two directions of one SSH connection (ACK, then PSH+ACK).
        var ssh = run.Flows.First(f => f.ServerPort == 22 || f.ClientPort == 22);
        Assert.Equal("tcp 10.0.2.2:54435 sent 5/230, 10.0.2.15:22 sent 4/304", RecordRun.Canonical(ssh));
        Assert.Equal((22, FlowEvidence.PortOnly), ((int)ssh.ServerPort, ssh.Evidence));
        Assert.Equal(run.Records.Read, run.Flows.Sum(f => (f.PacketsToServer > 0 ? 1 : 0) + (f.PacketsToClient > 0 ? 1 : 0)));
    }

    [SharedDataFact("flowdata")]
    public void A_juniper_v5_packet_gives_its_29_records_with_times_from_the_uptime_clock()
    {
        var run = RecordRun.File(Sample("netflow5_test_juniper_mx80.dat"));
        Assert.Equal((29L, 0L), (run.Records.Read, run.Records.Rejected));
        var web = Assert.Single(run.Flows, f => f.Client.ToString() == "66.249.92.75" && f.ClientPort == 37387);
        Assert.Equal(("192.168.0.1", 80, 2L, 104L), (web.Server.ToString(), (int)web.ServerPort, web.PacketsToServer, web.BytesToServer));
        // Times are export time minus (uptime at export − uptime at the flow's edge): in 2016, not at the epoch.
        Assert.All(run.Flows, f => Assert.InRange(f.StartNs / 1_000_000_000, 1_400_000_000, 1_600_000_000));
    }

    [SharedDataFact("flowdata")]
    public void A_v5_header_whose_count_overruns_its_packet_is_rejected_not_read()
    {
        // The codec's invalid sample: a count of 55582 records in 1464 bytes. Not detected as v5; forced, it is a counted problem.
        var bytes = File.ReadAllBytes(Sample("netflow5_test_invalid01.dat"));
        Assert.False(IpfixMessage.LooksLikeExport(bytes));
        var run = RecordRun.File(Sample("netflow5_test_invalid01.dat"), RecordFormat.Ipfix);
        // Two problems: the header's, then the rest of the input skipped (a stream of messages has no marker to resync on).
        Assert.Equal((0L, 2L), (run.Records.Read, run.Records.Rejected));
        Assert.Equal("byte 0", run.Records.Problems[0].Place);
        Assert.Empty(run.Summary.Errors);
    }

    [SharedDataFact("flowdata")]
    public void The_collector_reads_v5_datagrams_as_the_file_reader_reads_them()
    {
        var file = RecordRun.File(Sample("netflow5.dat"));
        using var stop = new CancellationTokenSource();
        using var collector = IpfixCollectorSource.Open("127.0.0.1:0", stop.Token);
        using (var exporter = new UdpClient(AddressFamily.InterNetwork))
        {
            var bytes = File.ReadAllBytes(Sample("netflow5.dat")).AsSpan();
            // One v5 packet per datagram, as softflowd sent them: header, then count × 48 bytes.
            while (!bytes.IsEmpty)
            {
                int length = IpfixMessage.NetFlowV5HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]) * IpfixMessage.NetFlowV5RecordLength;
                exporter.Send(bytes[..length], new IPEndPoint(IPAddress.Loopback, collector.LocalEndPoint.Port));
                bytes = bytes[length..];
            }
        }
        stop.CancelAfter(TimeSpan.FromSeconds(1));
        var received = RecordRun.Of(collector);
        Assert.Equal(12, collector.Datagrams);
        Assert.Equal((30L, 0L), (received.Records.Read, received.Records.Rejected));
        Assert.Equal(file.Flows.Select(RecordRun.Canonical).Order(), received.Flows.Select(RecordRun.Canonical).Order());
    }
}
