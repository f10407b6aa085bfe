using System.Buffers.Binary;
using System.Text;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Sources.Records.Ipfix;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Issue 43 for the flow-record readers: hostile records (zero-length templates, floods of templates, lone surrogates,
/// endless lines, counters near 2^63) are refused and counted, never looped on, crashed on or buffered without bound.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class HostileRecordTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // --- 1. records that would take no bytes ---------------------------------------------------------------------

    [Fact]
    public void An_ipfix_template_whose_only_field_is_zero_bytes_long_is_refused_not_looped_on()
    {
        var message = Ipfix(TemplateSet(2, Template(256, (8, 0))), DataSet(256, new byte[8]));
        var run = Within(() => RecordRun.Bytes(message, RecordFormat.Ipfix));
        Assert.Equal(0, run.Records.Read);
        Assert.Contains(run.Records.Problems, p => p.Reason.Contains("0 bytes", StringComparison.Ordinal) && p.Place == "byte 20");
    }

    [Fact]
    public void Ipfix_options_templates_without_fields_are_refused_not_looped_on()
    {
        // Options template 258: no fields, no scope fields.
        byte[] options = [.. U16(258), .. U16(0), .. U16(0)];
        var message = Ipfix(TemplateSet(3, options), DataSet(258, new byte[12]));
        var run = Within(() => RecordRun.Bytes(message, RecordFormat.Ipfix));
        Assert.Equal(0, run.Records.Read);
        Assert.Contains(run.Records.Problems, p => p.Reason.Contains("0 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void A_netflow_v9_template_of_zero_length_fields_is_refused_not_looped_on()
    {
        // Template 256 with two fields of length 0; options template 257 with 0 bytes of scope and options.
        byte[] template = [.. U16(256), .. U16(2), .. U16(8), .. U16(0), .. U16(12), .. U16(0)];
        byte[] options = [.. U16(257), .. U16(0), .. U16(0), 0, 0];
        var packet = NetFlowV9(TemplateSet(0, template), TemplateSet(1, options), DataSet(256, new byte[8]), DataSet(257, new byte[8]));
        var run = Within(() => RecordRun.Bytes(packet, RecordFormat.Ipfix));
        Assert.Equal(0, run.Records.Read);
        Assert.Equal(2, run.Records.Problems.Count(p => p.Reason.Contains("0 bytes", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_collector_refuses_the_loop_template_from_the_network_and_still_stops_when_asked()
    {
        // Over `collect` the loop template was a remote denial of service that no signal ended (issue 43).
        using var stop = new CancellationTokenSource();
        using var collector = IpfixCollectorSource.Open("127.0.0.1:0", stop.Token);
        var message = Ipfix(TemplateSet(2, Template(256, (8, 0))), DataSet(256, new byte[8]));
        using (var exporter = new System.Net.Sockets.UdpClient(System.Net.Sockets.AddressFamily.InterNetwork))
            for (int i = 0; i < 50; i++) exporter.Send(message, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, collector.LocalEndPoint.Port));
        stop.CancelAfter(TimeSpan.FromSeconds(1));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var run = Within(() => RecordRun.Of(collector));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 5);
        Assert.True(collector.Datagrams > 0, "no datagram reached the collector");
        Assert.Equal(0, run.Records.Read);
        Assert.Contains(run.Records.Problems, p => p.Reason.Contains("0 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_collector_holds_a_bounded_cache_under_a_million_template_ids_and_keeps_an_honest_exporters_flows()
    {
        // A hostile exporter announces 100 templates in each of 10,000 observation domains: a million template ids. The
        // cache keeps at most its bound and counts the rest dropped; an honest exporter's template and data still decode.
        using var stop = new CancellationTokenSource();
        using var collector = IpfixCollectorSource.Open("127.0.0.1:0", stop.Token);
        var run = Task.Run(() => RecordRun.Of(collector));
        var to = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, collector.LocalEndPoint.Port);
        const int Domains = 10_000, PerDomain = 100;
        using (var exporter = new System.Net.Sockets.UdpClient(System.Net.Sockets.AddressFamily.InterNetwork))
        {
            var templates = Enumerable.Range(256, PerDomain).Select(id => Template((ushort)id, (8, 4), (12, 4))).ToArray();
            for (uint domain = 0; domain < Domains; domain++)
            {
                exporter.Send(Ipfix(domain, TemplateSet(2, templates)), to);
                // Paced to what the collector has taken, so the socket's buffer drops none of them.
                if (domain % 200 == 199) WaitFor(() => collector.Datagrams > domain);
            }
            WaitFor(() => collector.Datagrams >= Domains);
            exporter.Send(Ipfix(424_242,
                TemplateSet(2, Template(256, (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8), (2, 8))),
                DataSet(256, [.. U32(0x0A000001), .. U32(0x0A000002), .. U16(50000), .. U16(443), 6, .. U64(1200), .. U64(10)])), to);
            WaitFor(() => collector.Datagrams > Domains);
        }
        stop.Cancel();
        Assert.True(await Task.WhenAny(run, Task.Delay(Patience)) == run, "the collector did not stop");

        var result = await run;
        var records = result.Records;
        Assert.Equal((long)Domains * PerDomain + 1 - IpfixTemplateCache.DefaultMaxTotal, records.TemplatesDropped);
        var flow = Assert.Single(result.Flows);
        Assert.Equal(("10.0.0.1", "10.0.0.2", 443, 1200L), (flow.Client.ToString(), flow.Server.ToString(), (int)flow.ServerPort, flow.BytesToServer));
    }

    private static void WaitFor(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "the collector fell behind its exporter");
            Thread.Sleep(1);
        }
    }

    // --- 2. the template cache ----------------------------------------------------------------------------------

    [Fact]
    public void The_templates_of_one_exporter_and_domain_are_held_up_to_a_bound_oldest_out_and_counted()
    {
        var statistics = new RecordStatistics();
        var decoder = new IpfixDecoder(statistics, new IpfixFlowPairer());
        // 5,000 templates of one field each, in one domain: only the newest 4,096 stay.
        for (int first = 256; first < 256 + 5000; first += 1000)
        {
            var templates = Enumerable.Range(first, 1000).Select(id => Template((ushort)id, (8, 4))).ToArray();
            decoder.Decode(Ipfix(TemplateSet(2, templates)), datagram: true, default, "udp", 0);
        }
        Assert.Equal(IpfixTemplateCache.DefaultMaxPerDomain, decoder.Templates);
        Assert.Equal(5000 - IpfixTemplateCache.DefaultMaxPerDomain, statistics.TemplatesDropped);
        // The oldest went: data for the first template is refused, for the last read.
        decoder.Decode(Ipfix(DataSet(256, U32(0x0A000001))), datagram: true, default, "udp", 0);
        decoder.Decode(Ipfix(DataSet(256 + 4999, U32(0x0A000001))), datagram: true, default, "udp", 0);
        Assert.Equal((1L, 1L), (statistics.Read, statistics.Rejected));
    }

    [Fact]
    public void Templates_are_held_up_to_a_bound_on_their_fields_over_all()
    {
        // 500 templates of 10,000 fields each (40 KB datagrams): a count of templates alone held them all, 5 million
        // fields; a collector fed such datagrams grew past 2 GB.
        var statistics = new RecordStatistics();
        var cache = new IpfixTemplateCache();
        var decoder = new IpfixDecoder(statistics, new IpfixFlowPairer(), cache);
        var fields = Enumerable.Repeat(((ushort)8, (ushort)4), 10_000).ToArray();
        for (int id = 256; id < 256 + 500; id++)
            decoder.Decode(Ipfix((uint)id, TemplateSet(2, Template((ushort)id, fields))), datagram: true, default, "udp", 0);
        Assert.Equal(IpfixTemplateCache.DefaultMaxFields / 10_000, cache.Count);
        Assert.InRange(cache.Fields, 0, IpfixTemplateCache.DefaultMaxFields);
        Assert.Equal(500 - cache.Count, statistics.TemplatesDropped);
        // The newest stays: its data is read.
        decoder.Decode(Ipfix(255 + 500, DataSet(255 + 500, [.. Enumerable.Repeat<byte>(10, 40_000)])), datagram: true, default, "udp", 0);
        Assert.Equal(1L, statistics.Read + statistics.Rejected);
        Assert.DoesNotContain(statistics.Problems, p => p.Reason.Contains("not received"));
    }

    [Fact]
    public void A_datagram_problem_names_its_exporter_and_the_byte_within_it()
    {
        // The place was the offset summed over every datagram received: "byte 116901" of a stream nobody can read back.
        var statistics = new RecordStatistics();
        var decoder = new IpfixDecoder(statistics, new IpfixFlowPairer());
        decoder.Decode(Ipfix(DataSet(300, U32(0x0A000001))), datagram: true, IpAddr.Parse("192.0.2.7"), "udp 0.0.0.0:4739", 116_885);
        var problem = Assert.Single(statistics.Problems);
        Assert.Equal(("udp 0.0.0.0:4739", "datagram from 192.0.2.7, byte 16"), (problem.Input, problem.Place));
    }

    [Fact]
    public void Templates_of_many_domains_are_held_up_to_a_bound_over_all()
    {
        var statistics = new RecordStatistics();
        var decoder = new IpfixDecoder(statistics, new IpfixFlowPairer(), new IpfixTemplateCache(maxPerDomain: 10, maxTotal: 50));
        for (uint domain = 0; domain < 20; domain++)
            decoder.Decode(Ipfix(domain, TemplateSet(2, Enumerable.Range(256, 10).Select(id => Template((ushort)id, (8, 4))).ToArray())),
                datagram: true, default, "udp", 0);
        Assert.Equal(50, decoder.Templates);
        Assert.Equal(150, statistics.TemplatesDropped);
    }

    [Fact]
    public void Over_udp_a_template_not_refreshed_within_its_lifetime_expires()
    {
        var statistics = new RecordStatistics();
        var decoder = new IpfixDecoder(statistics, new IpfixFlowPairer());
        long minute = 60_000;
        var exporter = IpAddr.FromV4([192, 0, 2, 1]);
        decoder.Decode(Ipfix(TemplateSet(2, Template(256, (8, 4)), Template(257, (8, 4)))), true, exporter, "udp", 0, receivedMs: 0);
        // Template 257 is refreshed at 20 minutes; 256 is not.
        decoder.Decode(Ipfix(TemplateSet(2, Template(257, (8, 4)))), true, exporter, "udp", 0, receivedMs: 20 * minute);
        decoder.Decode(Ipfix(DataSet(256, U32(1))), true, exporter, "udp", 0, receivedMs: 29 * minute);
        Assert.Equal((1L, 0L), (statistics.Read, statistics.Rejected));
        decoder.Decode(Ipfix(DataSet(256, U32(1)), DataSet(257, U32(1))), true, exporter, "udp", 0, receivedMs: 31 * minute);
        Assert.Equal((2L, 1L), (statistics.Read, statistics.Rejected));
        Assert.Equal(1, decoder.Templates);
        Assert.Equal(1, statistics.TemplatesExpired);
        // A file has no receive times: its templates never expire.
        var file = new IpfixDecoder(new RecordStatistics(), new IpfixFlowPairer());
        file.Decode(Ipfix(TemplateSet(2, Template(256, (8, 4)))), true, exporter, "file", 0);
        file.Decode(Ipfix(DataSet(256, U32(1))), true, exporter, "file", 0);
        Assert.Equal(1, file.Templates);
    }

    // --- 3. lone surrogates in Zeek JSON ------------------------------------------------------------------------

    [Fact]
    public void A_zeek_json_string_with_a_lone_surrogate_escape_skips_its_record_and_counts_it()
    {
        const string Good = "{\"ts\":1,\"uid\":\"Cgood\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":80,\"proto\":\"tcp\",\"conn_state\":\"SF\"}\n";
        var run = RecordRun.Text(
            "{\"ts\":1,\"uid\":\"C\\ud800\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":80,\"proto\":\"tcp\",\"conn_state\":\"SF\"}\n" +
            "{\"ts\":1,\"uid\":\"Cb\",\"\\udc00x\":1,\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":80,\"proto\":\"tcp\"}\n" +
            "{\"ts\":1,\"uid\":\"Cc\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":80,\"proto\":\"tcp\",\"service\":\"\\udbff\\u0041\"}\n" +
            Good, RecordFormat.ZeekJson);
        Assert.Empty(run.Summary.Errors);
        Assert.Equal("Cgood", Assert.Single(run.Flows).RecordId);
        Assert.Equal(["line 1", "line 2", "line 3"], run.Records.Problems.Select(p => p.Place));
        Assert.All(run.Records.Problems, p => Assert.Contains("surrogate", p.Reason, StringComparison.Ordinal));
    }

    // --- 4. endless lines ---------------------------------------------------------------------------------------

    private const string ZeekHeader =
        "#separator \\x09\n#empty_field\t(empty)\n#unset_field\t-\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n";
    private const string ZeekLine = "1700000000\tCa\t10.0.0.1\t5000\t10.0.0.2\t80\ttcp\tSF\n";

    [Fact]
    public void A_line_over_the_default_limit_is_skipped_and_counted_without_being_buffered_whole()
    {
        // An 8 MB line between two records, the default limit of 1 MiB.
        var content = new MemoryStream();
        content.Write(Encoding.UTF8.GetBytes(ZeekHeader + ZeekLine));
        content.Write(Enumerable.Repeat((byte)'a', 8 << 20).ToArray());
        content.Write(Encoding.UTF8.GetBytes("\r\n" + ZeekLine));
        content.Position = 0;
        var statistics = new RecordStatistics();
        using var reader = new ZeekTsvReader(new StreamReader(content), "conn.log", statistics);
        Assert.Equal(LineRecordReader.DefaultMaxLineLength, reader.MaxLineLength);
        var record = new FlowRecord();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int flows = 0;
        while (reader.TryRead(ref record)) flows++;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, flows);
        var problem = Assert.Single(statistics.Problems);
        Assert.Equal(("conn.log", "line 6"), (problem.Input, problem.Place));
        Assert.Contains("longer than 1048576 characters", problem.Reason, StringComparison.Ordinal);
        // The line is 16 MB as a string: far less than that was allocated to pass over it.
        Assert.True(allocated < 6 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Every_text_reader_skips_a_line_over_its_limit_and_counts_it_by_number()
    {
        string longLine = new('x', 5000);
        string[] inputs =
        [
            "Jun  8 14:34:33 host kernel: DROP IN=eth0 OUT= SRC=203.0.113.5 DST=10.0.0.1 LEN=60 PROTO=TCP SPT=40000 DPT=22 SYN URGP=0\n" + longLine + "\n" +
            "Jun  8 14:34:34 host kernel: DROP IN=eth0 OUT= SRC=203.0.113.5 DST=10.0.0.1 LEN=60 PROTO=TCP SPT=40001 DPT=22 SYN URGP=0\n",
            ZeekHeader + longLine + "\r" + ZeekLine,
            "{\"ts\":1,\"uid\":\"C\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":80,\"proto\":\"tcp\",\"conn_state\":\"SF\"}\n" +
            "{\"ts\":1,\"uid\":\"" + longLine + "\"}",
        ];
        Func<TextReader, RecordStatistics, LineRecordReader>[] readers =
        [
            (text, statistics) => new NetfilterLogReader(text, "x.log", statistics, new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc)) { MaxLineLength = 1000 },
            (text, statistics) => new ZeekTsvReader(text, "x.log", statistics) { MaxLineLength = 1000 },
            (text, statistics) => new ZeekJsonReader(text, "x.log", statistics) { MaxLineLength = 1000 },
        ];
        int[] longLineNumbers = [2, 5, 2];
        for (int i = 0; i < inputs.Length; i++)
        {
            var statistics = new RecordStatistics();
            using var reader = readers[i](new StringReader(inputs[i]), statistics);
            var record = new FlowRecord();
            int flows = 0;
            while (reader.TryRead(ref record)) flows++;
            Assert.True(flows >= 1, $"input {i}");
            var problem = Assert.Single(statistics.Problems);
            Assert.Equal($"line {longLineNumbers[i]}", problem.Place);
            Assert.Contains("longer than 1000 characters", problem.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Values_that_do_not_fit_their_field_are_rejected_not_cut_or_zeroed()
    {
        // Each was once turned into another value without a word: ICMP type 300 into 44 or 0, a size of 20 digits into 0
        // bytes, ts plus a duration past 2262 into a flow of no length.
        const string Zeek = "#separator \\x09\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\tconn_state\n";
        var zeek = RecordRun.Text(Zeek +
            "1700000000\t10.0.0.1\t300\t10.0.0.2\t0\ticmp\t1\tOTH\n" +
            "9000000000\t10.0.0.1\t5000\t10.0.0.2\t80\ttcp\t9000000000\tSF\n" +
            "1700000000\t10.0.0.1\t8\t10.0.0.2\t0\ticmp\t1\tOTH\n" +
            "1700000000\t10.0.0.1\t5000\t10.0.0.2\t80\tsctp\t1\tOTH\n", RecordFormat.ZeekTsv);
        Assert.Equal(8, Assert.Single(zeek.Flows).IcmpType);
        Assert.Equal(["line 3", "line 4", "line 6"], zeek.Records.Problems.Select(p => p.Place));
        Assert.Contains("ICMP type 300", zeek.Records.Problems[0].Reason);
        Assert.Contains("past 2262", zeek.Records.Problems[1].Reason);
        // Once "no proto", as if the column were missing.
        Assert.Contains("proto 'sctp' is no transport Zeek names", zeek.Records.Problems[2].Reason);

        var windows = RecordRun.Text(
            "#Version: 1.5\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n" +
            "2021-06-22 12:19:41 DROP TCP 192.168.1.5 192.168.1.1 5353 53 99999999999999999999 - - - - - - - RECEIVE\n" +
            "2021-06-22 12:19:41 DROP TCP 192.168.1.5 192.168.1.1 5353 70000 60 - - - - - - - RECEIVE\n" +
            "2021-06-22 12:19:42 DROP ICMP 192.168.1.5 192.168.1.1 - - 84 - - - - 300 999 - RECEIVE\n" +
            "2021-06-22 12:19:43 DROP ICMP 192.168.1.5 192.168.1.1 - - 84 - - - - 8 0 - RECEIVE\n", RecordFormat.WindowsFirewall);
        Assert.Equal(8, Assert.Single(windows.Flows).IcmpType);
        Assert.Equal(["line 3", "line 4", "line 5"], windows.Records.Problems.Select(p => p.Place));

        var netfilter = RecordRun.Text(
            "Jun  8 14:34:33 host kernel: DROP IN=eth0 OUT= SRC=203.0.113.5 DST=10.0.0.1 LEN=84 PROTO=ICMP TYPE=300 CODE=0\n" +
            "Jun  8 14:34:34 host kernel: DROP IN=eth0 OUT= SRC=203.0.113.5 DST=10.0.0.1 LEN=84 PROTO=ICMP TYPE=8 CODE=0\n", RecordFormat.Netfilter);
        Assert.Equal(8, Assert.Single(netfilter.Flows).IcmpType);
        Assert.Equal("TYPE=300 is not an ICMP type", Assert.Single(netfilter.Records.Problems).Reason);
    }

    [Fact]
    public void An_asa_duration_past_what_a_flow_time_holds_is_rejected_not_a_crash()
    {
        // 23 digits of hours overflowed long.Parse (an unhandled exception ended the run); 10 digits overflowed the
        // nanoseconds silently into a negative duration.
        var run = RecordRun.Text(
            "Apr 29 2024 12:59:50: %ASA-6-302014: Teardown TCP connection 1 for outside:10.1.1.1/1000 to inside:10.2.2.2/80 duration 99999999999999999999999:00:00 bytes 10 TCP FINs\n" +
            "Apr 29 2024 12:59:50: %ASA-6-302014: Teardown TCP connection 2 for outside:10.1.1.1/1001 to inside:10.2.2.2/80 duration 9999999999:00:00 bytes 10 TCP FINs\n" +
            "Apr 29 2024 12:59:50: %ASA-6-302014: Teardown TCP connection 3 for outside:10.1.1.1/1002 to inside:10.2.2.2/80 duration 2000:00:00 bytes 10 TCP FINs\n",
            RecordFormat.CiscoAsa);
        Assert.Equal(["line 1", "line 2"], run.Records.Problems.Select(p => p.Place));
        Assert.Contains("duration '9999999999:00:00' is longer than a flow's time can hold", run.Records.Problems[1].Reason);
        // A connection of 2,000 hours (12 weeks) is one.
        var flow = Assert.Single(run.Flows);
        Assert.Equal(2000L * 3600 * 1_000_000_000, flow.EndNs - flow.StartNs);
    }

    [Fact]
    public void Asa_connections_built_and_never_torn_down_are_held_up_to_a_bound()
    {
        var log = new StringBuilder();
        for (int id = 1; id <= 5; id++)
            log.Append($"Apr 29 2013 12:59:5{id}: %ASA-6-302013: Built outbound TCP connection {id} for outside:192.0.2.1/443 (192.0.2.1/443) to inside:10.0.0.5/5000{id} (198.51.100.1/4000{id})\n");
        log.Append($"Apr 29 2013 13:00:00: %ASA-6-302013: Built outbound TCP connection {new string('9', 100)} for outside:192.0.2.1/443 (192.0.2.1/443) to inside:10.0.0.5/50009 (198.51.100.1/40009)\n");
        var statistics = new RecordStatistics();
        using var reader = new AsaSyslogReader(new StringReader(log.ToString()), "asa.log", statistics, new DateTime(2013, 6, 1, 0, 0, 0, DateTimeKind.Utc)) { MaxOpenConnections = 3 };
        var record = new FlowRecord();
        int flows = 0;
        while (reader.TryRead(ref record)) flows++;
        Assert.Equal(3, flows);
        Assert.Equal(["line 4", "line 5", "line 6"], statistics.Problems.Select(p => p.Place));
        Assert.Equal(AsaSyslogReader.DefaultMaxOpenConnections, new AsaSyslogReader(new StringReader(""), "x", statistics, DateTime.UtcNow).MaxOpenConnections);
    }

    // --- 5. counters near 2^63 ----------------------------------------------------------------------------------

    // flowEndMilliseconds an hour before flowStartMilliseconds: the end was set to the start without a word.
    [Fact]
    public void An_ipfix_record_that_ends_before_it_starts_lasts_0_s_and_is_counted_once()
    {
        var message = Ipfix(
            TemplateSet(2, Template(256, (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4), (152, 8), (153, 8))),
            DataSet(256, [.. U32(0x0A000001), .. U32(0x0A000002), .. U16(50000), .. U16(80), 6, .. U32(3), .. U32(180),
                .. U64(1_700_003_600_000), .. U64(1_700_000_000_000)]));
        var run = RecordRun.Bytes(message, RecordFormat.Ipfix);
        var flow = Assert.Single(run.Flows);
        Assert.Equal((1_700_003_600_000_000_000L, 0L), (flow.StartNs, flow.EndNs - flow.StartNs));
        Assert.Equal((1L, 1L, 0L), (run.Records.TimeReversed, run.Records.Read, run.Records.Rejected));
    }

    [Fact]
    public void Ipfix_counters_that_add_past_the_largest_count_saturate_and_are_counted()
    {
        // octetDeltaCount and octetTotalCount (both summed) and packetDeltaCount twice, each near 2^63.
        var message = Ipfix(
            TemplateSet(2, Template(256, (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8), (85, 8), (2, 8), (2, 8))),
            DataSet(256, [.. U32(0x0A000001), .. U32(0x0A000002), .. U16(50000), .. U16(80), 6,
                .. U64(long.MaxValue - 10), .. U64(long.MaxValue - 10), .. U64(1L << 62), .. U64(1L << 62)]));
        var run = RecordRun.Bytes(message, RecordFormat.Ipfix);
        var flow = Assert.Single(run.Flows);
        Assert.Equal((long.MaxValue, long.MaxValue), (flow.BytesToServer, flow.PacketsToServer));
        Assert.Equal(1, run.Records.Saturated);
    }

    [Fact]
    public void Ipfix_millisecond_times_past_2262_are_held_there_instead_of_wrapping()
    {
        // flowStartMilliseconds and flowEndMilliseconds are 64 bits: times of 2^63-1 ms wrapped to 1970 or before.
        var message = Ipfix(
            TemplateSet(2, Template(256, (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (152, 8), (153, 8))),
            DataSet(256, [.. U32(0x0A000001), .. U32(0x0A000002), .. U16(50000), .. U16(80), 6, .. U64(long.MaxValue), .. U64(long.MaxValue)]));
        var flow = Assert.Single(RecordRun.Bytes(message, RecordFormat.Ipfix).Flows);
        Assert.Equal((long.MaxValue, long.MaxValue), (flow.StartNs, flow.EndNs));
    }

    [Fact]
    public void Ipfix_second_times_past_2262_are_held_and_ntp_times_before_1970_give_way_to_the_export_time()
    {
        // flowStartSeconds in 8 bytes of 10^10 s wrapped when turned to nanoseconds; an NTP flowStartMicroseconds of
        // 1900 gave a start before the epoch, printed as 1970 beside its real duration.
        var seconds = Ipfix(
            TemplateSet(2, Template(256, (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (150, 8), (151, 8))),
            DataSet(256, [.. U32(0x0A000001), .. U32(0x0A000002), .. U16(50000), .. U16(80), 6, .. U64(10_000_000_000), .. U64(10_000_000_000)]));
        var held = Assert.Single(RecordRun.Bytes(seconds, RecordFormat.Ipfix).Flows);
        Assert.Equal((long.MaxValue, long.MaxValue), (held.StartNs, held.EndNs));

        var ntp = Ipfix(
            TemplateSet(2, Template(256, (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (154, 8))),
            DataSet(256, [.. U32(0x0A000001), .. U32(0x0A000002), .. U16(50000), .. U16(80), 6, .. U32(1000), .. U32(0)]));
        var export = Assert.Single(RecordRun.Bytes(ntp, RecordFormat.Ipfix).Flows);
        Assert.Equal((IpfixMessages.ExportTime * 1_000_000_000L, IpfixMessages.ExportTime * 1_000_000_000L), (export.StartNs, export.EndNs));
    }

    [Fact]
    public void Audit_tallies_of_flows_with_counters_near_the_largest_stop_there_instead_of_turning_negative()
    {
        var record = new FlowRecord
        {
            Client = IpAddr.FromV4([10, 0, 0, 1]), Server = IpAddr.FromV4([10, 0, 0, 2]), ClientPort = 50000, ServerPort = 80,
            Protocol = IpProtocol.Tcp, BytesToServer = long.MaxValue - 1, BytesToClient = long.MaxValue - 1, StartNs = 1, EndNs = 2,
        };
        var flow = Flow.FromRecord(1, record);
        var tally = new PortAudit.Audit.FlowTally();
        tally.Add(flow, failed: false);
        tally.Add(flow, failed: false);
        Assert.Equal(long.MaxValue, tally.Bytes);
        var ports = new PortAudit.Audit.Timeline.PortTraffic();
        ports.Add("tcp", 80, "allowed", long.MaxValue - 1);
        ports.Add("tcp", 80, "allowed", long.MaxValue - 1);
        ports.Add("tcp", 80, "denied", long.MaxValue - 1);
        var port = Assert.Single(ports.Ports);
        Assert.Equal([long.MaxValue, long.MaxValue - 1], port.BytesByKey.Select(b => b.Value));
        Assert.Equal(long.MaxValue, port.Total);
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static T Within<T>(Func<T> work)
    {
        var task = Task.Run(work);
        Assert.True(task.Wait(Patience), "the reader did not finish: an endless loop");
        return task.Result;
    }

    private static byte[] Ipfix(params byte[][] sets) => Ipfix(0, sets);

    private static byte[] Ipfix(uint domain, params byte[][] sets) => IpfixMessages.Message(domain, sets);

    private static byte[] NetFlowV9(params byte[][] flowsets)
    {
        var header = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header, 9);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)flowsets.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 1000);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), 1_700_000_010);
        return [.. header, .. flowsets.SelectMany(s => s)];
    }

    private static byte[] Template(ushort id, params (ushort Element, ushort Length)[] fields) =>
        [.. U16(id), .. U16((ushort)fields.Length), .. fields.SelectMany(f => (byte[])[.. U16(f.Element), .. U16(f.Length)])];

    private static byte[] TemplateSet(ushort setId, params byte[][] templates)
    {
        var body = templates.SelectMany(t => t).ToArray();
        return [.. U16(setId), .. U16((ushort)(body.Length + 4)), .. body];
    }

    private static byte[] DataSet(ushort id, byte[] body) => [.. U16(id), .. U16((ushort)(body.Length + 4)), .. body];

    private static byte[] U16(ushort v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, v); return b; }
    private static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); return b; }
    private static byte[] U64(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64BigEndian(b, v); return b; }
}
