using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// nfdump's CSV (<c>TZ=UTC nfdump -R DIR -o csv</c>, nfdump 1.7.1): the way nfcapd's files are read. The lines are
/// nfdump's output for softflowd's export of captures/lab.pcapng, cut to the columns up to obyt plus one more.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NfdumpCsvTests
{
    private const string Output = """
        ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in
        2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.10,10.77.0.100,5061,53160,TCP,...A.R..,0,0,1,40,0,0,0
        2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.100,10.77.0.10,53160,5061,TCP,......S.,0,0,1,60,0,0,0
        2027-01-10 00:23:37,2027-01-10 00:23:36,18446744073709548.000,10.77.0.10,10.77.0.20,5061,45692,TCP,...AP.SF,0,0,18,5144,0,0,0
        2027-01-10 00:23:37,2027-01-10 00:23:36,18446744073709548.000,10.77.0.20,10.77.0.10,45692,5061,TCP,...AP.SF,0,0,20,4157,0,0,0
        2027-01-10 00:23:43,2027-01-10 00:23:43,18446744073709552.000,10.77.0.100,10.77.0.20,0,771,ICMP,........,0,192,4,560,0,0,0
        Summary
        flows,bytes,packets,avg_bps,avg_pps,avg_bpp
        33,39509,250,35758,28,158
        """;

    [Fact]
    public void Is_detected_by_its_header_and_its_summary_is_neither_read_nor_rejected()
    {
        var run = RecordRun.Text(Output);
        Assert.Equal((5L, 0L), (run.Records.Read, run.Records.Rejected));
        Assert.Equal(RecordFormat.NfdumpCsv, RecordFormats.Detect(System.Text.Encoding.UTF8.GetBytes(Output)));
        Assert.All(run.Flows, f => Assert.Equal(FlowEvidence.PortOnly, f.Evidence));
    }

    [Fact]
    public void A_one_way_opening_whose_client_acknowledged_an_answer_was_answered()
    {
        // Only the client's direction was exported (split routing, or an exporter on one path). Its SYN beside ACK and
        // data says the answer reached it; a SYN alone says nothing came back. The flow table judges a capture alike.
        const string OneWay = """
            ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in
            2027-01-10 00:23:37,2027-01-10 00:23:38,1.000,10.77.0.100,10.77.0.10,53170,5061,TCP,...AP.S.,0,0,6,900,0,0,0
            2027-01-10 00:23:39,2027-01-10 00:23:40,1.000,10.77.0.100,10.77.0.10,53171,5061,TCP,......S.,0,0,3,180,0,0,0
            """;
        var flows = RecordRun.Text(OneWay).Flows;
        Assert.Equal([(53170, FlowState.Established), (53171, FlowState.Unanswered)],
            flows.OrderBy(f => f.ClientPort).Select(f => ((int)f.ClientPort, f.State)));
    }

    [Fact]
    public void One_way_records_pair_into_flows_the_syn_without_ack_naming_the_client()
    {
        var flows = RecordRun.Text(Output).Flows;
        // A SYN answered by RST+ACK, both in the same second: the SYN's sender is the client, and the flow was rejected.
        var refused = Assert.Single(flows, f => f.ServerPort == 5061 && f.ClientPort == 53160);
        Assert.Equal(("10.77.0.100", 1L, 60L, 1L, 40L, FlowState.Rejected),
            (refused.Client.ToString(), refused.PacketsToServer, refused.BytesToServer, refused.PacketsToClient, refused.BytesToClient, refused.State));
        // Flags OR-ed over a whole direction name no opener, and both start in the same second: the run's server-port
        // hint decides, as the flow table's does for packets. Ports below 1024 say nothing here; the catalog's name 5061.
        var tls = Assert.Single(flows, f => f.ClientPort == 45692 || f.ServerPort == 45692);
        Assert.Equal(("10.77.0.10", 5061), (tls.Client.ToString(), (int)tls.ClientPort));
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-nfdump-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, Output);
        try
        {
            var catalogPorts = new CatalogServerPortHint(new RuleIndex(CatalogLoader.Load(SharedData.InRepository("rules"))));
            var placed = Assert.Single(RecordRun.Of(new FlowTableOptions { ServerPorts = catalogPorts }, new RecordFileSource(path)).Flows,
                f => f.ClientPort == 45692);
            Assert.Equal(("10.77.0.20", "10.77.0.10", 5061, 20L, 18L),
                (placed.Client.ToString(), placed.Server.ToString(), (int)placed.ServerPort, placed.PacketsToServer, placed.PacketsToClient));
        }
        finally
        {
            File.Delete(path);
        }
        // te before ts (softflowd's export) is not a negative duration.
        Assert.Equal(tls.StartNs, tls.EndNs);
        Assert.Equal(new DateTime(2027, 1, 10, 0, 23, 37, DateTimeKind.Utc), DateTime.UnixEpoch.AddTicks(tls.StartNs / 100));
    }

    [Fact]
    public void An_icmp_record_takes_type_and_code_from_the_destination_port()
    {
        var icmp = Assert.Single(RecordRun.Text(Output).Flows, f => f.Transport == "icmp");
        // 771 = 3 × 256 + 3: port unreachable, sent by the host the UDP flow went to.
        Assert.Equal((3, 3, 0, 0), (icmp.IcmpType, icmp.IcmpCode, (int)icmp.ClientPort, (int)icmp.ServerPort));
    }

    // te ten minutes before ts: the end was set to the start without a word.
    [Fact]
    public void A_record_that_ends_before_it_starts_lasts_0_s_and_is_counted_once()
    {
        var run = RecordRun.Text("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n" +
                                 "2027-01-10 00:33:37,2027-01-10 00:23:37,-600.000,10.77.0.10,10.77.0.20,53160,5061,TCP,......S.,0,0,1,60,0,0\n" +
                                 "2027-01-10 00:23:37,2027-01-10 00:23:38,1.000,10.77.0.10,10.77.0.20,53161,5061,TCP,......S.,0,0,1,60,0,0\n",
            RecordFormat.NfdumpCsv);
        Assert.Equal((2L, 0L, 1L), (run.Records.Read, run.Records.Rejected, run.Records.TimeReversed));
        var reversed = Assert.Single(run.Flows, f => f.ClientPort == 53160);
        Assert.Equal(0L, reversed.EndNs - reversed.StartNs);
        // nfdump's own lines for softflowd's export: two end a second before they start.
        Assert.Equal(2, RecordRun.Text(Output).Records.TimeReversed);
    }

    [Fact]
    public void A_record_whose_values_do_not_fit_its_columns_is_rejected_at_its_line()
    {
        var run = RecordRun.Text("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n" +
                                 "2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.10,not-an-address,5061,53160,TCP,...A.R..,0,0,1,40,0,0\n" +
                                 "2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.10\n", RecordFormat.NfdumpCsv);
        Assert.Equal((0L, 2L), (run.Records.Read, run.Records.Rejected));
        Assert.Equal(["line 2", "line 3"], run.Records.Problems.Select(p => p.Place));
    }

    [Fact]
    public void Protocols_nfdump_prints_by_its_own_names_are_read_as_their_numbers()
    {
        // nfdump's lines for softflowd's IPFIX of ark-wireshark-dhcpv6.pcap (ICMPv6), ah.pcapng and 6in4tunnel (IPv6 in
        // IPv4), and protocols by names of its table or a number past it. Only TCP, UDP, ICMP, GRE and ESP were read.
        var run = RecordRun.Text("""
            ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt
            2015-01-02 21:52:44,2015-01-02 21:52:44,0.000,fe80::a00:27ff:fed4:10bb,ff02::16,0,36608,ICMP6,........,0,0,2,192,0,0
            2020-04-19 23:28:49,2020-04-19 23:28:50,1.000,10.2.3.2,10.3.4.4,0,0,AH,........,0,0,4,608,0,0
            2015-10-07 16:54:53,2015-10-07 16:55:15,22.000,174.3.73.24,184.105.255.26,0,0,IPv6,........,0,0,66,12920,0,0
            2015-10-07 16:54:53,2015-10-07 16:55:15,22.000,10.0.0.1,10.0.0.2,0,0,OSPF,........,0,0,1,64,0,0
            2015-10-07 16:54:53,2015-10-07 16:55:15,22.000,10.0.0.1,10.0.0.2,5000,5001,SCTP,........,0,0,1,64,0,0
            2015-10-07 16:54:53,2015-10-07 16:55:15,22.000,10.0.0.1,10.0.0.2,0,0,200  ,........,0,0,1,64,0,0
            """, RecordFormat.NfdumpCsv);
        Assert.Equal((6L, 0L), (run.Records.Read, run.Records.Rejected));
        Assert.Equal([41, 51, 58, 89, 132, 200], run.Flows.Select(f => (int)f.Protocol).Order());
        // ICMPv6 takes type and code from the destination port as ICMP does: 36608 = 143 × 256, an MLDv2 report.
        var icmp6 = Assert.Single(run.Flows, f => f.Protocol == IpProtocol.IcmpV6);
        Assert.Equal((143, 0), (icmp6.IcmpType, icmp6.IcmpCode));
    }

    [Fact]
    public void An_older_record_after_newer_ones_waits_for_its_reverse_and_records_far_apart_do_not_pair()
    {
        // A csv has no messages to wait to the end of: its records wait until the file ends (or 200,000 wait). The query
        // 10 minutes older than the line before it went out unpaired as it was read. Its 5-tuple's answer an hour later
        // is another exchange, not this one's reverse.
        var flows = RecordRun.Text("""
            ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt
            2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.100,10.77.0.10,53160,53,UDP,........,0,0,1,60,0,0
            2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.10,10.77.0.100,53,53160,UDP,........,0,0,1,80,0,0
            2027-01-10 00:13:37,2027-01-10 00:13:37,0.000,10.77.0.101,10.77.0.10,53161,53,UDP,........,0,0,1,60,0,0
            2027-01-10 00:13:37,2027-01-10 00:13:37,0.000,10.77.0.10,10.77.0.101,53,53161,UDP,........,0,0,1,80,0,0
            2027-01-10 00:30:00,2027-01-10 00:30:00,0.000,10.77.0.102,10.77.0.10,53162,53,UDP,........,0,0,1,60,0,0
            2027-01-10 01:30:00,2027-01-10 01:30:00,0.000,10.77.0.10,10.77.0.102,53,53162,UDP,........,0,0,1,80,0,0
            """, RecordFormat.NfdumpCsv).Flows;
        Assert.Equal([(53160, 1L, 1L), (53161, 1L, 1L), (53162, 0L, 1L), (53162, 1L, 0L)],
            flows.Select(f => ((int)f.ClientPort, f.PacketsToServer, f.PacketsToClient)).Order());
    }
}
