using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Sources.Records.Ipfix;
using PortAudit.Tests.Builders;
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

    private const long SecondNs = 1_000_000_000;

    // 2023-11-14T22:13:20Z, the builder's export time, in nanoseconds.
    private const long ExportNs = NetFlowV5Packets.ExportSeconds * SecondNs;

    [Fact]
    public void A_flow_edge_weeks_before_its_export_is_placed_before_it_as_nfdump_places_it()
    {
        // The exporter had been up 30 days and 5 s; the flow was switched in its fifth second, 30 days before the
        // export. Read as a signed 32-bit difference (past 2^31 ms, 24.8 days), it was put 19.7 days after it.
        const uint ThirtyDaysMs = 2_592_000_000;
        var run = RecordRun.Bytes(NetFlowV5Packets.Packet(ThirtyDaysMs + 5_000, NetFlowV5Packets.ExportSeconds, 0,
            NetFlowV5Packets.Udp("10.0.0.1", 40000, "10.0.0.2", 53, 60, 5_000, 5_000),
            NetFlowV5Packets.Udp("10.0.0.2", 53, "10.0.0.1", 40000, 80, 5_000, 5_000)));
        var dns = Assert.Single(run.Flows);
        // nfdump, the same packet sent to nfcapd: 2023-10-15 22:13:20.000.
        Assert.Equal(new DateTime(2023, 10, 15, 22, 13, 20, DateTimeKind.Utc), DateTime.UnixEpoch.AddTicks(dns.StartNs / 100));
        Assert.Equal((1L, 1L, FlowState.Established), (dns.PacketsToServer, dns.PacketsToClient, dns.State));
    }

    [Fact]
    public void An_edge_up_to_100_s_past_the_exports_uptime_is_after_it_and_one_further_past_was_before_the_counter_wrapped()
    {
        // The export's uptime is 1,000 ms. 51,000: 50 s after the export (clock jitter). 0xFFFFF000 to 500: begun 4,096 ms
        // before the counter wrapped. 201,000: 200 s past the uptime is no jitter (nfdump allows 100 s) but an edge
        // before the wrap, 2^32 ms less 200 s before the export.
        var run = RecordRun.Bytes(NetFlowV5Packets.Packet(1_000, NetFlowV5Packets.ExportSeconds, 0,
            NetFlowV5Packets.Udp("10.0.0.1", 40001, "10.0.0.2", 53, 60, 51_000, 51_000),
            NetFlowV5Packets.Udp("10.0.0.1", 40002, "10.0.0.2", 53, 60, 0xFFFFF000, 500),
            NetFlowV5Packets.Udp("10.0.0.1", 40003, "10.0.0.2", 53, 60, 201_000, 201_000)));
        var byPort = run.Flows.ToDictionary(f => (int)f.ClientPort, f => (f.StartNs, f.EndNs));
        Assert.Equal((ExportNs + 50 * SecondNs, ExportNs + 50 * SecondNs), byPort[40001]);
        Assert.Equal((ExportNs - 5_096_000_000, ExportNs - 500_000_000), byPort[40002]);
        Assert.Equal(ExportNs - ((1L << 32) - 200_000) * 1_000_000, byPort[40003].StartNs);
    }

    [Fact]
    public void The_headers_nanoseconds_place_its_flows_within_the_export_second()
    {
        // unix_nsecs 900,000,000: a flow switched at the export's uptime is at 22:13:20.900, as nfdump reads it, not at
        // the second. A value of a second or more is no residual of one: the whole second stands.
        var flow = Assert.Single(RecordRun.Bytes(NetFlowV5Packets.Packet(100_000, NetFlowV5Packets.ExportSeconds, 900_000_000,
            NetFlowV5Packets.Udp("10.0.0.1", 40000, "10.0.0.2", 53, 60, 100_000, 100_000))).Flows);
        Assert.Equal((ExportNs + 900_000_000, ExportNs + 900_000_000), (flow.StartNs, flow.EndNs));
        var past = Assert.Single(RecordRun.Bytes(NetFlowV5Packets.Packet(100_000, NetFlowV5Packets.ExportSeconds, 1_500_000_000,
            NetFlowV5Packets.Udp("10.0.0.1", 40000, "10.0.0.2", 53, 60, 100_000, 100_000))).Flows);
        Assert.Equal(ExportNs, past.StartNs);
    }

    [Fact]
    public void Records_of_a_packet_older_than_the_one_before_it_wait_for_their_reverse_in_it()
    {
        // Two exporters whose clocks differ by 10 minutes, or two exports given out of time order: the older packet's
        // query went out unpaired as it was read, its answer a flow of its own.
        var newer = NetFlowV5Packets.Packet(100_000, NetFlowV5Packets.ExportSeconds, 0,
            NetFlowV5Packets.Udp("10.0.0.1", 40000, "10.0.0.2", 53, 60, 100_000, 100_000),
            NetFlowV5Packets.Udp("10.0.0.2", 53, "10.0.0.1", 40000, 80, 100_000, 100_000));
        var older = NetFlowV5Packets.Packet(100_000, NetFlowV5Packets.ExportSeconds - 600, 0,
            NetFlowV5Packets.Udp("10.0.0.3", 40001, "10.0.0.4", 53, 60, 100_000, 100_000),
            NetFlowV5Packets.Udp("10.0.0.4", 53, "10.0.0.3", 40001, 80, 100_000, 100_000));
        var run = RecordRun.Bytes([.. newer, .. older]);
        Assert.Equal([("10.0.0.1", 1L, 1L, FlowState.Established), ("10.0.0.3", 1L, 1L, FlowState.Established)],
            run.Flows.Select(f => (f.Client.ToString(), f.PacketsToServer, f.PacketsToClient, f.State)).Order());
    }

    [Fact]
    public void A_record_waits_for_its_reverse_until_the_rest_of_its_packet_is_read_though_a_later_one_is_far_newer()
    {
        // A query 10 minutes old, a newer exchange, then the old query's answer, all in one packet.
        var run = RecordRun.Bytes(NetFlowV5Packets.Packet(1_000_000, NetFlowV5Packets.ExportSeconds, 0,
            NetFlowV5Packets.Udp("10.0.0.3", 40001, "10.0.0.4", 53, 60, 400_000, 400_000),
            NetFlowV5Packets.Udp("10.0.0.1", 40000, "10.0.0.2", 53, 60, 1_000_000, 1_000_000),
            NetFlowV5Packets.Udp("10.0.0.2", 53, "10.0.0.1", 40000, 80, 1_000_000, 1_000_000),
            NetFlowV5Packets.Udp("10.0.0.4", 53, "10.0.0.3", 40001, 80, 400_000, 400_000)));
        Assert.Equal([("10.0.0.1", 1L, 1L), ("10.0.0.3", 1L, 1L)], run.Flows.Select(f => (f.Client.ToString(), f.PacketsToServer, f.PacketsToClient)).Order());
    }

    [Fact]
    public void A_reverse_that_comes_after_the_exports_time_moved_on_past_the_window_is_a_flow_of_its_own()
    {
        // The query's packet, then one 400 s later (past the 300 s a record waits), then the query's late answer.
        var run = RecordRun.Bytes([
            .. NetFlowV5Packets.Packet(100_000, NetFlowV5Packets.ExportSeconds, 0,
                NetFlowV5Packets.Udp("10.0.0.3", 40001, "10.0.0.4", 53, 60, 100_000, 100_000)),
            .. NetFlowV5Packets.Packet(500_000, NetFlowV5Packets.ExportSeconds + 400, 0,
                NetFlowV5Packets.Udp("10.0.0.1", 40000, "10.0.0.2", 53, 60, 500_000, 500_000)),
            .. NetFlowV5Packets.Packet(500_000, NetFlowV5Packets.ExportSeconds + 400, 0,
                NetFlowV5Packets.Udp("10.0.0.4", 53, "10.0.0.3", 40001, 80, 100_000, 100_000))]);
        Assert.Equal(2, run.Flows.Count(f => f.Client.ToString() is "10.0.0.3" or "10.0.0.4"));
    }
}
