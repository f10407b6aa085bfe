using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Tests.Audit;
using PortAudit.Tests.Cli;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Zeek conn.logs of ../shared/flowdata written to Parquet with DuckDB read back as flow records: the same flows, record
/// for record, as the TSV log gives, and an audit of the Parquet the same findings as the audit of the TSV.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ParquetRecordTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-parquet-in");

    // The two logs with real times, with ts typed both ways, and a btest baseline's (ts masked, so text) whose ICMP flow
    // came in two VXLAN tunnels (tunnel_parents, a list).
    private static readonly (string Log, bool TsAsTimestamp)[] Logs =
    [
        ("unpaired-wrccdc2018-brimdata/conn.log", false), ("unpaired-wrccdc2018-brimdata/conn.log", true),
        ("ftp-ipv4/conn.log", false), ("ftp-ipv4/conn.log", true), ("vxlan-tunnel/conn.log", false),
    ];

    [SharedDataFact("flowdata")]
    public void A_zeek_conn_log_in_parquet_gives_the_flows_of_the_tsv_log()
    {
        foreach (var (log, tsAsTimestamp) in Logs)
        {
            string tsv = SharedData.Path("flowdata/zeek/" + log)!;
            string parquet = Path.Combine(_dir.FullName, $"conn-{tsAsTimestamp}.parquet");
            ZeekParquet.Convert(tsv, parquet, tsAsTimestamp);

            var fromTsv = RecordRun.File(tsv);
            var fromParquet = RecordRun.File(parquet);
            Assert.NotEmpty(fromTsv.Flows);
            Assert.Equal(fromTsv.Flows.Count, fromParquet.Flows.Count);
            for (int i = 0; i < fromTsv.Flows.Count; i++)
                Assert.True(Carried(fromTsv.Flows[i]) == Carried(fromParquet.Flows[i]),
                    $"{log} flow {i + 1}:\n{Carried(fromTsv.Flows[i])}\n{Carried(fromParquet.Flows[i])}");
            Assert.Equal(fromTsv.Records.Read, fromParquet.Records.Read);
            Assert.Equal(fromTsv.Records.Rejected, fromParquet.Records.Rejected);
        }
    }

    [SharedDataFact("flowdata")]
    public void A_zeek_set_as_a_parquet_list_reads_as_the_tsv_logs_comma_joined_members()
    {
        // A pipeline landing Zeek's logs in Parquet writes a set as a list (Zeek's JSON writes an array): the ICMP flow
        // inside VXLAN names both tunnels' records from it, as from the TSV. The list was left unread: no tunnel.
        string parquet = Path.Combine(_dir.FullName, "vxlan.parquet");
        ZeekParquet.Convert(SharedData.Path("flowdata/zeek/vxlan-tunnel/conn.log")!, parquet, tsAsTimestamp: false);
        Assert.Equal("VARCHAR[]", ZeekParquet.Scalar($"SELECT typeof(tunnel_parents) FROM '{ZeekParquet.Quote(parquet)}' LIMIT 1"));

        var inner = Assert.Single(RecordRun.File(parquet).Flows, f => f.Protocol == IpProtocol.Icmp);

        Assert.Equal("CUM0KZ3MLUfNB0cl11,C4J4Th3PJpwUYZZ6gc", inner.Tunnel?.Id);
    }

    [SharedDataFact("flowdata")]
    public void An_audit_of_the_parquet_finds_what_the_audit_of_the_tsv_finds()
    {
        string tsv = SharedData.Path("flowdata/zeek/ftp-ipv4/conn.log")!;
        string parquet = Path.Combine(_dir.FullName, "conn.parquet");
        ZeekParquet.Convert(tsv, parquet, tsAsTimestamp: true);
        var context = VerdictComparison.DraftedContext(SharedData.Path("flowdata/zeek/ftp-ipv4/ipv4.pcap")!);

        var fromTsv = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(tsv)]);
        var fromParquet = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(parquet)]);
        Assert.NotEmpty(fromTsv.Report.Findings);
        Assert.Equal(fromTsv.Report.Findings.Select(f => $"{f.Id} {f.Severity} {f.Explanation}"),
            fromParquet.Report.Findings.Select(f => $"{f.Id} {f.Severity} {f.Explanation}"));
        Assert.Equal(fromTsv.Flows.Select(f => $"{Carried(f.Flow)} {f.Verdict}"), fromParquet.Flows.Select(f => $"{Carried(f.Flow)} {f.Verdict}"));
    }

    [Fact]
    public void A_damaged_row_group_is_counted_as_rejected_and_the_others_read()
    {
        string parquet = Path.Combine(_dir.FullName, "groups.parquet");
        const int rows = 3 * 2048;
        ZeekParquet.Sql("COPY (SELECT 1500000000 + i * 0.5 AS ts, 'C' || i AS uid, '10.0.0.1' AS \"id.orig_h\", 40000 + i AS \"id.orig_p\", " +
                        "'10.0.0.2' AS \"id.resp_h\", 443 AS \"id.resp_p\", 'tcp' AS proto, 'SF' AS conn_state " +
                        $"FROM range({rows}) t(i)) TO '{ZeekParquet.Quote(parquet)}' (FORMAT parquet, ROW_GROUP_SIZE 2048)");
        Assert.Equal(rows, RecordRun.File(parquet).Flows.Count);

        // Garbage over the middle of the data: whichever row group it falls in cannot be decoded, the file's footer is intact.
        byte[] bytes = File.ReadAllBytes(parquet);
        int middle = bytes.Length / 3;
        Array.Fill(bytes, (byte)0xA5, middle, 64);
        File.WriteAllBytes(parquet, bytes);
        var run = RecordRun.File(parquet);
        Assert.InRange(run.Records.Rejected, 1, rows - 1);
        Assert.Equal(rows, run.Records.Read + run.Records.Rejected);
        Assert.Equal(run.Records.Read, run.Flows.Count);
        Assert.Contains("row group", run.Records.Problems[0].Place);
    }

    [Theory]
    [InlineData(0x7fffffffu, "footer length 2147483647 is more than the")]
    [InlineData(0xffffffffu, "footer length 4294967295 is more than the")]
    public void A_footer_length_past_the_file_is_named_not_an_out_of_memory_crash(uint footer, string message)
    {
        string parquet = Path.Combine(_dir.FullName, "footer.parquet");
        ZeekParquet.Sql("COPY (SELECT 1500000000 AS ts, '10.0.0.1' AS \"id.orig_h\", 40000 AS \"id.orig_p\", '10.0.0.2' AS \"id.resp_h\", " +
                        $"443 AS \"id.resp_p\", 'tcp' AS proto, 'SF' AS conn_state) TO '{ZeekParquet.Quote(parquet)}' (FORMAT parquet)");
        byte[] bytes = File.ReadAllBytes(parquet);
        // The 4 bytes before the closing "PAR1": 2^31 - 1 made Parquet.Net allocate 2 GB and fail (OutOfMemoryException).
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 8), footer);
        File.WriteAllBytes(parquet, bytes);

        var error = Assert.Throws<InputException>(() => new ParquetRecordReader(File.OpenRead(parquet), "footer.parquet", new RecordStatistics()));
        Assert.Contains($"footer.parquet: not a readable Parquet file: byte {bytes.Length - 8}: {message}", error.Message);
    }

    // One TCP flow through our Parquet writer into PATH: the file whose bytes a test then damages, returned.
    private static byte[] OneFlowParquet(string path)
    {
        using (var writer = new PortAudit.Report.Records.ParquetFlowWriter(File.Create(path)))
        {
            writer.Write(Flow.FromRecord(1, new FlowRecord
            {
                Protocol = IpProtocol.Tcp, Client = IpAddr.Parse("10.0.0.1"), ClientPort = 40000, Server = IpAddr.Parse("10.0.0.2"),
                ServerPort = 443, StartNs = 1_700_000_000_000_000_000, EndNs = 1_700_000_001_000_000_000, PacketsToServer = 1,
                State = FlowState.Established,
            }));
            writer.Complete();
        }
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void A_schema_element_parquet_cannot_type_is_named_not_an_unhandled_exception()
    {
        // afl's parquet harness (docs/fuzz.md) turned one byte of our own flows.parquet's footer: rpc_interface's
        // converted type (field 6, i32 0: UTF8) became a scale (field 7, i64). Parquet.Net reads the footer, then throws
        // InvalidOperationException "cannot decode schema" when the schema is first asked for, which the reader did
        // outside its guard: the exception escaped `flows` and `audit` unhandled.
        string parquet = Path.Combine(_dir.FullName, "schema.parquet");
        byte[] bytes = OneFlowParquet(parquet);
        int element = bytes.AsSpan().IndexOf("\u0018\u000Drpc_interface%"u8);
        Assert.True(element > 0);
        bytes[element + 15] = 0x36;
        File.WriteAllBytes(parquet, bytes);

        var error = Assert.Throws<InputException>(() => new ParquetRecordReader(File.OpenRead(parquet), "schema.parquet", new RecordStatistics()));
        Assert.StartsWith("schema.parquet: not a readable Parquet file: cannot decode schema", error.Message);
    }

    [Fact]
    public async Task A_footer_whose_last_field_runs_past_its_end_is_refused_not_read_forever()
    {
        // afl's parquet harness turned the FileMetaData's closing stop byte (the footer's last) into 0xE5, an i32 field
        // header: Parquet.Net 6.1.0 read its varint past the end of its copy of the footer, where every byte reads 0xFF,
        // and never returned (the harness was killed at afl's 5 s and the fork server lost).
        string parquet = Path.Combine(_dir.FullName, "cut.parquet");
        byte[] bytes = OneFlowParquet(parquet);
        Assert.Equal(0, bytes[^9]);
        bytes[^9] = 0xE5;
        File.WriteAllBytes(parquet, bytes);

        var read = Task.Run(() => Assert.Throws<InputException>(() => new ParquetRecordReader(File.OpenRead(parquet), "cut.parquet", new RecordStatistics())));
        Assert.True(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))) == read, "the reader did not return");
        int footer = BitConverter.ToInt32(bytes, bytes.Length - 8);
        Assert.Equal($"cut.parquet: not a readable Parquet file: footer at byte {bytes.Length - 8 - footer}: its metadata is not whole: " +
                     $"a field runs past its end or is of no type, at byte {footer} of {footer}", (await read).Message);
    }

    [Fact]
    public void Our_own_columns_give_what_conn_log_cannot_say()
    {
        string parquet = Path.Combine(_dir.FullName, "own.parquet");
        ZeekParquet.Sql("COPY (SELECT make_timestamp(1700000000123456) AS ts, 'Cabc' AS uid, '10.0.0.1' AS \"id.orig_h\", 0 AS \"id.orig_p\", " +
                        "'10.0.0.2' AS \"id.resp_h\", 0 AS \"id.resp_p\", 'sctp' AS proto, 0.5 AS duration, make_timestamp(1700000000623457) AS \"end\", " +
                        "'blocked' AS state, 'ssh' AS app, 'firewall-log' AS evidence, NULL::BIGINT AS icmp_type, 3 AS orig_pkts, " +
                        "'1:vYEoKbT/EMHF25XzldMbsqqIqAU=' AS tunnel " +
                        $") TO '{ZeekParquet.Quote(parquet)}' (FORMAT parquet)");
        var flow = Assert.Single(RecordRun.File(parquet).Flows);
        Assert.Equal(132, flow.Protocol);
        Assert.Equal(1700000000123456000, flow.StartNs);
        Assert.Equal(1700000000623457000, flow.EndNs);
        Assert.Equal(FlowState.Blocked, flow.State);
        Assert.Equal("ssh", flow.App?.Name);
        Assert.Equal(FlowEvidence.FirewallLog, flow.Evidence);
        Assert.Equal("Cabc", flow.RecordId);
        Assert.Equal(3, flow.PacketsToServer);
        Assert.Equal("1:vYEoKbT/EMHF25XzldMbsqqIqAU=", flow.Tunnel?.Id);
    }

    // Our own `end` column can name a time before ts (conn.log's duration cannot): held at the start, counted once.
    [Fact]
    public void An_end_before_the_start_lasts_0_s_and_is_counted_as_time_reversed()
    {
        string parquet = Path.Combine(_dir.FullName, "reversed.parquet");
        ZeekParquet.Sql("COPY (SELECT make_timestamp(1700000003000000) AS ts, 'Crev' AS uid, '10.0.0.1' AS \"id.orig_h\", 50000 AS \"id.orig_p\", " +
                        "'10.0.0.2' AS \"id.resp_h\", 443 AS \"id.resp_p\", 'tcp' AS proto, make_timestamp(1700000000000000) AS \"end\" " +
                        "UNION ALL SELECT make_timestamp(1700000004000000), 'Cfwd', '10.0.0.1', 50001, '10.0.0.2', 443, 'tcp', make_timestamp(1700000005000000)" +
                        $") TO '{ZeekParquet.Quote(parquet)}' (FORMAT parquet)");
        var run = RecordRun.File(parquet);
        Assert.Equal([(1700000003000000000L, 0L), (1700000004000000000L, 1000000000L)],
            run.Flows.Select(f => (f.StartNs, f.EndNs - f.StartNs)));
        Assert.Equal((1L, 2L, 0L), (run.Records.TimeReversed, run.Records.Read, run.Records.Rejected));
    }

    [Fact]
    public void Required_columns_read_as_optional_ones_do()
    {
        string parquet = Path.Combine(_dir.FullName, "required.parquet");
        ZeekParquet.Sql("CREATE TABLE conn (ts DOUBLE NOT NULL, \"id.orig_h\" VARCHAR NOT NULL, \"id.orig_p\" INTEGER NOT NULL, " +
                        "\"id.resp_h\" VARCHAR NOT NULL, \"id.resp_p\" INTEGER NOT NULL, proto VARCHAR NOT NULL, conn_state VARCHAR NOT NULL); " +
                        "INSERT INTO conn VALUES (1700000000.25, '10.0.0.1', 50000, '10.0.0.2', 22, 'tcp', 'REJ'); " +
                        $"COPY conn TO '{ZeekParquet.Quote(parquet)}' (FORMAT parquet)");
        var flow = Assert.Single(RecordRun.File(parquet).Flows);
        Assert.Equal(1700000000250000000, flow.StartNs);
        Assert.Equal(22, flow.ServerPort);
        Assert.Equal(FlowState.Rejected, flow.State);
    }

    [Fact]
    public void A_parquet_file_is_told_by_its_magic_bytes_and_named_parquet()
    {
        Assert.Equal(RecordFormat.Parquet, RecordFormats.Detect("PAR1\x15\x04"u8));
        Assert.True(RecordFormats.TryParse("parquet", out var format));
        Assert.Equal(RecordFormat.Parquet, format);
        Assert.Contains("parquet", RecordFormats.AllNames);
    }

    [Fact]
    public void The_readers_own_column_names_are_the_writers()
    {
        // The reader may not use the Report layer's writer: the names it knows are checked against the writer's here.
        string[] fields = ["end", "state", "app", "appDetail", "evidence", "icmpType", "icmpCode", "icmpErrors", "icmpError", "tunnel", "cutOff",
            "rpcInterfaceUuid", "rpcSource", .. PortAudit.Report.Records.ReadBackFields.Names];
        Assert.Equal([ParquetFlowColumns.End, ParquetFlowColumns.State, ParquetFlowColumns.App, ParquetFlowColumns.AppDetail, ParquetFlowColumns.Evidence,
            ParquetFlowColumns.IcmpType, ParquetFlowColumns.IcmpCode, ParquetFlowColumns.IcmpErrors, ParquetFlowColumns.IcmpError,
            ParquetFlowColumns.Tunnel, ParquetFlowColumns.CutOff, ParquetFlowColumns.RpcInterfaceUuid, ParquetFlowColumns.RpcSource,
            ParquetFlowColumns.Sides, ParquetFlowColumns.FirstFromServer, ParquetFlowColumns.Weakness, ParquetFlowColumns.Announced,
            ParquetFlowColumns.RpcCalls, ParquetFlowColumns.RpcMoreBindings, ParquetFlowColumns.RpcUninspectable, ParquetFlowColumns.TunnelOuter],
            fields.Select(PortAudit.Report.Records.ParquetFlowWriter.ColumnName));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("tsv")]
    public void Sides_flows_guessed_from_ports_are_taken_again_with_the_reading_runs_ports(string format)
    {
        // SSDP answers from a device's port 1900 to a searcher's 57547, whose search went to the multicast group (as in
        // ../shared/bench/base.pcap): `flows` knows only ports below 1024 and takes the sender for the client, an unanswered
        // attempt; the catalog names 1900 a service, and the audit of the capture takes 10.0.0.227 for the client,
        // midstream. Read back from flows.parquet, the audit kept the first sides: 65 more failed attempts on base.pcap and
        // high findings (required-blocked, protocol-mismatch) that the audit of the capture does not make; so did our TSV
        // once it read back.
        byte[] answer = Packets.Ethernet(Packets.Ipv4("10.0.0.151", "10.0.0.227", 17, Packets.Udp(1900, 57547, "HTTP/1.1 200 OK\r\n\r\n"u8.ToArray())));
        string capture = Path.Combine(_dir.FullName, "ssdp.pcap"), parquet = Path.Combine(_dir.FullName, "flows." + format);
        File.WriteAllBytes(capture, PcapBuilder.Spaced(answer, answer));
        WriteFlows(format, [capture], parquet);
        var catalogPorts = new CatalogServerPortHint(new RuleIndex(CatalogLoader.Load(SharedData.InRepository("rules"))));

        var written = Assert.Single(RecordRun.File(parquet).Flows);
        var fromCapture = Assert.Single(RecordRun.Of(new FlowTableOptions { ServerPorts = catalogPorts }, [.. CaptureFileSource.Of([capture])]).Flows);
        var readBack = Assert.Single(RecordRun.Of(new FlowTableOptions { ServerPorts = catalogPorts }, new RecordFileSource(parquet)).Flows);

        Assert.Equal(("10.0.0.151", 1900, FlowState.Unanswered), (written.Client.ToString(), (int)written.ClientPort, written.State));
        Assert.Equal(("10.0.0.227", 57547, 0L, 2L, FlowState.Midstream),
            (fromCapture.Client.ToString(), (int)fromCapture.ClientPort, fromCapture.PacketsToServer, fromCapture.PacketsToClient, fromCapture.State));
        Assert.Equal(Sides(fromCapture), Sides(readBack));
        Assert.Equal(FlowSides.Ports, readBack.Sides);
    }

    [Fact]
    public void A_flows_parquet_gives_back_each_flows_app_detail()
    {
        // A NetBIOS name response from a WINS server (R bit) is one-way by its detail: without it, read back from
        // flows.parquet, the audit of ../shared/bench/base.pcap took such a flow to 137 for an unanswered query, a
        // required-blocked finding (high) the audit of the capture does not make.
        string parquet = Path.Combine(_dir.FullName, "details.parquet");
        ZeekParquet.Sql("COPY (SELECT make_timestamp(1700000000000000) AS ts, '10.0.0.1' AS \"id.orig_h\", 137 AS \"id.orig_p\", " +
                        "'10.0.0.2' AS \"id.resp_h\", 137 AS \"id.resp_p\", 'udp' AS proto, 'unanswered' AS state, 'netbios-ns' AS app, " +
                        "'response; name=WPAD<00>; flags=R' AS app_detail UNION ALL SELECT make_timestamp(1700000001000000), '10.0.0.1', 40000, " +
                        "'10.0.0.2', 53, 'udp', 'established', 'dns', 'query; name=a' || chr(27) || 'b' " +
                        $") TO '{ZeekParquet.Quote(parquet)}' (FORMAT parquet)");

        var flows = RecordRun.File(parquet).Flows;

        Assert.Equal([new("response", null), new("WPAD<00>", "name"), new("R", "flags")],
            flows[0].AppDetail!.Parts.Select(p => (p.Value, p.Key)).Select(t => new DetailValue(t.Value, t.Key)));
        // Text with a control character is no detail we wrote: the flow stands without it.
        Assert.Null(flows[1].AppDetail);
        Assert.Equal("dns", flows[1].App?.Name);
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("tsv")]
    public void Flows_of_the_windows_lab_read_back_are_judged_as_the_capture_is(string format)
    {
        // captures/windows-lab.pcapng: each workstation's endpoint-mapper answer announces the domain controller's port
        // 49152, and the bind there names the interface. Neither reached our flow files: audited from them, the three
        // flows were `unexpected` (medium, "no endpoint-mapper answer or bind explains the flow") where the audit of
        // the capture has them expected-dynamic-rpc and no finding; so a weakness (SMB1, an LDAP bind in clear text,
        // NTLMv1) went unreported.
        string capture = SharedData.InRepository("captures/windows-lab.pcapng"), file = Path.Combine(_dir.FullName, "flows." + format);
        WriteFlows(format, [capture], file);
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/windows-lab.yaml"), catalog));

        var fromCapture = SharedCaptureAuditTests.Audit(context, SharedData.InRepository("captures/windows-lab.pcapng"));
        var readBack = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(file)]);

        Assert.Equal(3, fromCapture.Flows.Count(f => f.Verdict.Verdict == Verdict.ExpectedDynamicRpc));
        Assert.Empty(fromCapture.Report.Findings);
        Assert.Equal(fromCapture.Flows.Select(f => $"{Inspected(f.Flow)} {f.Verdict.Verdict}"), readBack.Flows.Select(f => $"{Inspected(f.Flow)} {f.Verdict.Verdict}"));
        Assert.Empty(readBack.Report.Findings);
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("tsv")]
    public void A_flows_weaknesses_read_back_as_written_and_a_set_no_writer_makes_is_refused(string format)
    {
        var record = new FlowRecord
        {
            Protocol = IpProtocol.Tcp, Client = IpAddr.Parse("10.0.0.1"), ClientPort = 40000, Server = IpAddr.Parse("10.0.0.2"),
            ServerPort = 389, StartNs = 1_700_000_000_000_000_000, EndNs = 1_700_000_001_000_000_000, PacketsToServer = 3,
            PacketsToClient = 2, State = FlowState.Established, Weakness = PortAudit.Flows.Facts.FlowWeakness.LdapCleartextBind | PortAudit.Flows.Facts.FlowWeakness.NtlmV1 | PortAudit.Flows.Facts.FlowWeakness.TlsDeprecated
                       | PortAudit.Flows.Facts.FlowWeakness.TlsWeakCipher | PortAudit.Flows.Facts.FlowWeakness.TlsWeakCertificate,
        };
        string file = Path.Combine(_dir.FullName, "weak." + format);
        using (var writer = PortAudit.Report.Records.FlowRecordWriters.Create(format, File.Create(file), null!))
        {
            writer.Write(Flow.FromRecord(1, record));
            writer.Complete();
        }

        Assert.Equal(record.Weakness, Assert.Single(RecordRun.File(file).Flows).Weakness);
        if (format != "tsv") return;
        string text = File.ReadAllText(file);
        var bad = RecordRun.Text(text[..text.LastIndexOf("\t230\t", StringComparison.Ordinal)] + "\t256\tF\t-\t-\t-\t-\n");
        Assert.Empty(bad.Flows);
        Assert.Contains(bad.Records.Problems, p => p.ToString().Contains("weakness '256' is not a set of weaknesses (0-255)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("tsv")]
    public void A_flows_rpc_calls_and_icmp_errors_read_back_as_written(string format)
    {
        // What the audit judges a DCE/RPC flow by, interface by interface: DRSUAPI bound and DsGetNCChanges (3) called, a
        // refused LSARPC, the spooler through a pipe whose calls were not all read (a name with a space and, as no real
        // pipe has, a line break), more bindings than kept, and why; and the ICMP error that answered the flow. Our
        // files carried none of it: read back, the flow had no call log and no error.
        string file = Path.Combine(_dir.FullName, "rpc." + format);
        var flow = WriteRpcFlows(format, file);

        var run = RecordRun.File(file);
        var flows = run.Flows;

        Assert.Empty(run.Records.Problems.Select(p => p.ToString()));
        Assert.Equal(Calls(flow).Replace("\n", "\uFFFD"), Calls(flows[0]));
        Assert.Equal((2L, "admin-prohibited from 10.0.0.254"), (flows[0].IcmpErrors.Count, flows[0].IcmpErrors.ToString()));
        // ICMPv6's port unreachable (type 1, code 4) is told from ICMP's (3, 3) by its sender's address.
        Assert.Equal((IpProtocol.IcmpV6, (byte)1, (byte)4, "port-unreachable from 2001:db8::2"),
            (flows[1].IcmpErrors.IcmpProtocol, flows[1].IcmpErrors.Type, flows[1].IcmpErrors.Code, flows[1].IcmpErrors.ToString()));
        Assert.Equal(("none", 0L), (Calls(flows[2]), flows[2].IcmpErrors.Count));
    }

    [Fact]
    public void A_flows_parquets_rpc_calls_are_a_list_as_the_stores_and_its_one_text_of_before_still_reads()
    {
        // The store and the lake keep a flow's bindings as an array, which `unnest` gives an element a row; flows.parquet
        // held them as one text of lines, which a query had to split. It holds the list now; a file of before (its one
        // text, rewritten here by DuckDB from the list) still reads back as the flow written.
        string file = Path.Combine(_dir.FullName, "rpc.parquet"), before = Path.Combine(_dir.FullName, "rpc-text.parquet");
        var flow = WriteRpcFlows("parquet", file);

        Assert.Equal("3 e3514235-4b06-11d1-ab04-00c04fc2dcd2 4 0,3 bind|12345778-1234-abcd-ef00-0123456789ab 0 -! alter_context|12345678-1234-abcd-ef00-0123456789ab - 69? pipe spool ss\uFFFDx",
            ZeekParquet.Scalar($"SELECT len(rpc_calls) || ' ' || array_to_string(rpc_calls, '|') FROM '{ZeekParquet.Quote(file)}' WHERE id = 1"));
        Assert.Equal("3 0", ZeekParquet.Scalar($"SELECT (SELECT count(*) FROM (SELECT unnest(rpc_calls) FROM '{ZeekParquet.Quote(file)}')) || ' ' || " +
                                               $"(SELECT count(*) FROM '{ZeekParquet.Quote(file)}' WHERE id <> 1 AND rpc_calls IS NOT NULL)"));
        ZeekParquet.Sql($"COPY (SELECT * REPLACE (array_to_string(rpc_calls, chr(10)) AS rpc_calls) FROM '{ZeekParquet.Quote(file)}') TO '{ZeekParquet.Quote(before)}' (FORMAT parquet)");
        Assert.Equal("VARCHAR", ZeekParquet.Scalar($"SELECT typeof(rpc_calls) FROM '{ZeekParquet.Quote(before)}' LIMIT 1"));

        var flows = RecordRun.File(before).Flows;

        Assert.Equal(Calls(flow).Replace("\n", "\uFFFD"), Calls(flows[0]));
        Assert.Equal(["none", "none"], flows.Skip(1).Select(Calls));
    }

    // A DCE/RPC flow with three bindings (interface, operations, refusal, calls unread, a pipe's name with a line break),
    // an IPv6 one refused by ICMPv6 and one without RPC, written by `flows -f FORMAT`; returns the first.
    private static Flow WriteRpcFlows(string format, string file)
    {
        var flow = Flow.FromRecord(1, new FlowRecord
        {
            Protocol = IpProtocol.Tcp, Client = IpAddr.Parse("10.0.0.1"), ClientPort = 40000, Server = IpAddr.Parse("10.0.0.2"),
            ServerPort = 49670, StartNs = 1_700_000_000_000_000_000, EndNs = 1_700_000_001_000_000_000, PacketsToServer = 3,
            PacketsToClient = 2, State = FlowState.Established,
        });
        var calls = new PortAudit.Flows.Facts.RpcCallLog();
        var drsuapi = calls.Bind(new Guid("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 4, "bind")!;
        drsuapi.Called(0);
        drsuapi.Called(3);
        calls.Bind(new Guid("12345778-1234-abcd-ef00-0123456789ab"), 0, "alter_context")!.Answered(accepted: false);
        var spoolss = calls.Bind(new Guid("12345678-1234-abcd-ef00-0123456789ab"), null, "pipe spool ss\nx")!;
        spoolss.Called(69);
        spoolss.CallsUnseen = true;
        calls.MoreBindings = true;
        calls.Uninspectable = "a gap in the TCP stream";
        flow.RpcCalls = calls;
        flow.IcmpErrors = new IcmpErrors(2, IpProtocol.Icmp, 3, 13, IpAddr.Parse("10.0.0.254"));
        using (var writer = PortAudit.Report.Records.FlowRecordWriters.Create(format, File.Create(file), null!))
        {
            writer.Write(flow);
            var udp = Flow.FromRecord(2, new FlowRecord
            {
                Protocol = IpProtocol.Udp, Client = IpAddr.Parse("2001:db8::1"), ClientPort = 40000, Server = IpAddr.Parse("2001:db8::2"),
                ServerPort = 53, StartNs = 1_700_000_000_000_000_000, EndNs = 1_700_000_000_000_000_000, PacketsToServer = 1,
                State = FlowState.Rejected,
            });
            udp.IcmpErrors = new IcmpErrors(1, IpProtocol.IcmpV6, 1, 4, IpAddr.Parse("2001:db8::2"));
            writer.Write(udp);
            writer.Write(Flow.FromRecord(3, new FlowRecord
            {
                Protocol = IpProtocol.Udp, Client = IpAddr.Parse("10.0.0.1"), ClientPort = 40001, Server = IpAddr.Parse("10.0.0.2"),
                ServerPort = 53, StartNs = 1_700_000_000_000_000_000, EndNs = 1_700_000_000_000_000_000, PacketsToServer = 1,
                State = FlowState.Unanswered,
            }));
            writer.Complete();
        }
        return flow;
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("tsv")]
    public void A_dcsync_read_back_from_our_files_is_found_as_from_the_capture(string format)
    {
        // The security review's kiosk binds DRSUAPI on dc01 and calls DsGetNCChanges (3), which the rules grant only
        // between DCs: the audit of the capture finds "DCE/RPC operation 3 IDL_DRSGetNCChanges of DRSUAPI is not
        // allowed from ws-kiosk to dc01" (high). Audited from flows.parquet or our TSV, which carried the interface but
        // not the operations called, there was no such finding, and NETLOGON's and SPOOLSS's lost their operations.
        var (fromCapture, readBack) = SecurityReviewBothWays(format);

        Assert.Contains(fromCapture.Findings, f => f.Reason?.StartsWith("DCE/RPC operation 3 IDL_DRSGetNCChanges of DRSUAPI is not allowed from ws-kiosk", StringComparison.Ordinal) == true);
        Assert.Equal(RpcFindings(fromCapture), RpcFindings(readBack));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("tsv")]
    public void A_required_tunnel_refused_read_back_says_who_refused_it(string format)
    {
        // PPTP's GRE to a published RRAS server, answered by the firewall's inside address with admin-prohibited: the audit
        // of the capture says "rejected attempt (admin-prohibited from 10.0.0.1) of gre required by rule ...". Our files
        // wrote the error (icmpErrors, icmpError) but did not read it back: from them, "rejected attempt of gre ...".
        var gre = Ipv4("198.51.100.7", "10.0.1.40", IpProtocol.Gre, Gre(0x0800, Ip("192.168.99.2", "10.0.8.9", IpProtocol.Tcp, Tcp(50000, 445, Syn))));
        string capture = Path.Combine(_dir.FullName, "gre.pcap"), file = Path.Combine(_dir.FullName, "gre." + format);
        File.WriteAllBytes(capture, PcapBuilder.Spaced(Ethernet(gre), Ethernet(Ipv4("10.0.0.1", "198.51.100.7", IpProtocol.Icmp, IcmpError(3, 13, gre[..28])))));
        WriteFlows(format, [capture], file);

        Assert.Equal(RequiredBlocked([.. CaptureFileSource.Of([capture])]), RequiredBlocked(new RecordFileSource(file)));
        Assert.Equal("rejected attempt (admin-prohibited from 10.0.0.1) of gre required by rule kb832017-rras-server-gre",
            RequiredBlocked(new RecordFileSource(file)));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("tsv")]
    public void A_tunnelled_flow_read_back_names_its_tunnel_as_the_audit_of_the_capture_does(string format)
    {
        // The security review plants RDP in 6in4 and SMB in VXLAN from outside: the audit of the capture names each
        // finding's tunnel by its outer ends ("vxlan 10.40.101.21:49840 → 198.51.100.10:4789"); our files kept only the
        // tunnel's Community ID, which the audit of them gave as firstTunnel and in the samples ("1:6sp/TrBX...").
        var (fromCapture, readBack) = SecurityReviewBothWays(format);

        var named = Tunnelled(fromCapture).Select(f => f.Split(" | ")[1]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, named.Count);
        Assert.Equal("ipv6 203.0.113.55 → 10.40.101.21", named[0]);
        Assert.Matches(@"^vxlan 10\.40\.101\.21:\d+ → 198\.51\.100\.10:4789$", named[1]);
        Assert.Equal(Tunnelled(fromCapture), Tunnelled(readBack));
    }

    [Fact]
    public void A_tunnels_outer_ends_no_writer_makes_reject_the_record_naming_the_column()
    {
        var flow = Flow.FromRecord(1, new FlowRecord
        {
            Protocol = IpProtocol.Tcp, Client = IpAddr.Parse("172.31.0.5"), ClientPort = 49800, Server = IpAddr.Parse("172.31.0.9"),
            ServerPort = 445, StartNs = 1_700_000_000_000_000_000, EndNs = 1_700_000_001_000_000_000, PacketsToServer = 3,
            PacketsToClient = 2, State = FlowState.Established, Tunnel = "1:6sp/TrBXe72cTiJHrODZKVOgK3E=",
            TunnelOuter = new PortAudit.Decode.PacketEnds
            {
                Present = true, Protocol = IpProtocol.Udp, Source = IpAddr.Parse("2001:db8::1"), SourcePort = 49840,
                Destination = IpAddr.Parse("2001:db8::2"), DestinationPort = 4789,
            },
        });
        string file = Path.Combine(_dir.FullName, "outer.tsv");
        using (var writer = PortAudit.Report.Records.FlowRecordWriters.Create("tsv", File.Create(file), null!))
        {
            writer.Write(flow);
            writer.Complete();
        }
        string text = File.ReadAllText(file);

        Assert.Contains("\tudp 2001:db8::1 49840 2001:db8::2 4789\n", text, StringComparison.Ordinal);
        Assert.Equal("vxlan 2001:db8::1:49840 → 2001:db8::2:4789", Assert.Single(RecordRun.File(file).Flows).Tunnel!.ToString());
        foreach (string bad in new[] { "udp 2001:db8::1 49840 2001:db8::2", "udp 2001:db8::1 70000 2001:db8::2 4789", "udp host 1 2001:db8::2 4789", "tcp  10.0.0.1 1 10.0.0.2 2" })
        {
            var run = RecordRun.Text(text.Replace("udp 2001:db8::1 49840 2001:db8::2 4789", bad, StringComparison.Ordinal));
            Assert.Empty(run.Flows);
            Assert.Contains(run.Records.Problems, p => p.ToString().Contains($"line 8: tunnelOuter '{bad}' is not a tunnel's outer ends", StringComparison.Ordinal));
        }
    }

    // Each finding of a tunnelled flow in one line: kind, the tunnel it names, its reason and its samples' tunnels.
    // The security review scenario's capture audited, and the audit of its flows written as FORMAT and read back.
    private (AuditReport FromCapture, AuditReport ReadBack) SecurityReviewBothWays(string format)
    {
        var catalog = ScenarioAudit.RepositoryCatalog;
        var context = AuditContext.Create(catalog,
            InventoryLoader.Load(SharedData.InRepository("tests/PortAudit.Tests/Scenarios/Inventories/security-review.yaml"), catalog));
        string file = Path.Combine(_dir.FullName, "security-review." + format);
        var fromCapture = ScenarioAudit.WithCaptures(PortAudit.Tests.Scenarios.SecurityReview.Build(), paths =>
        {
            WriteFlows(format, paths, file);
            return SharedCaptureAuditTests.Audit(context, CaptureFileSource.Of(paths)).Report;
        });
        var readBack = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(file)]).Report;
        return (fromCapture, readBack);
    }

    internal static string[] Tunnelled(AuditReport report) =>
        [.. report.Findings.Where(f => f.TunnelledFlows > 0)
            .Select(f => $"{f.Kind} | {f.FirstTunnel} | {f.Reason} | {string.Join(", ", f.Samples.Select(s => s.Tunnel))}").Order(StringComparer.Ordinal)];

    // The reason of the one required-blocked finding an audit of the tunnel site makes of the flows of sources.
    private static string RequiredBlocked(params IFlowSource[] sources)
    {
        var auditor = PortAudit.Tests.Audit.AuditFixture.RepositoryAuditor(TunnelCarrierAuditTests.Site);
        foreach (var flow in RecordRun.Of(sources).Flows) auditor.Audit(flow);
        return Assert.Single(auditor.Complete().Findings, f => f.Kind == FindingKind.RequiredBlocked).Reason ?? "";
    }

    // The flows of captures, as `flows -f FORMAT -o file` writes them.
    private static void WriteFlows(string format, IReadOnlyList<string> captures, string file)
    {
        using var writer = PortAudit.Report.Records.FlowRecordWriters.Create(format, File.Create(file), null!);
        new TrafficRun(new FlowTableOptions(), new PortAudit.Report.Records.FlowRecordObserver(writer)).Read(CaptureFileSource.Of(captures));
        writer.Complete();
    }

    private static string[] RpcFindings(AuditReport report) =>
        [.. report.Findings.Where(f => f.Kind == FindingKind.RpcInterface).Select(f => $"{f.Severity} {f.Reason} {f.Explanation}").Order()];

    // A call log in one line: each binding's interface, version, operations, what was not read or was refused, and how.
    private static string Calls(Flow f) =>
        f.RpcCalls is not { } calls ? "none"
        : string.Join("; ", calls.Bindings.Select(b => $"{b.Uuid} {b.MajorVersion} {string.Join(',', b.Opnums)} {b.MoreOpnums} {b.CallsUnseen} {b.Refused} {b.Via}"))
          + $" | {calls.MoreBindings} {calls.Uninspectable}";

    // What inspection gave a flow that an audit judges by: its interface and how it was learnt, its weaknesses, whether
    // another flow announced it.
    private static string Inspected(Flow f) =>
        $"{Sides(f)} {f.App?.Name} {f.DceRpc?.Uuid} {f.DceRpc?.Evidence} {f.Weakness} {f.Announced && !f.AnnouncementRefuted}";

    private sealed record DetailValue(string Value, string? Key);

    private static string Sides(Flow f) =>
        $"{f.Client}:{f.ClientPort} {f.Server}:{f.ServerPort} {f.PacketsToServer}/{f.BytesToServer} {f.PacketsToClient}/{f.BytesToClient} {f.State}";

    // What a flow record carries, in one line.
    private static string Carried(Flow f) =>
        $"{f.Protocol} {f.Client}:{f.ClientPort} {f.Server}:{f.ServerPort} {f.StartNs} {f.EndNs} {f.PacketsToServer}/{f.BytesToServer} " +
        $"{f.PacketsToClient}/{f.BytesToClient} {f.State} {f.App?.Name} {f.Evidence} {f.RecordId} {f.IcmpType}/{f.IcmpCode} {f.Tunnel?.Id}";

    public void Dispose() => _dir.Dispose();
}
