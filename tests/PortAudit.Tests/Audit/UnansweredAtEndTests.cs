using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Store;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Store;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// An opening its capture ended less than 1 s after (RFC 6298's initial retransmission timeout) is unanswered at the end
/// of input: no failed attempt, no required-blocked finding, no rule instance credited. The flow table marks it
/// (<see cref="Flow.CutOff"/>) and the mark travels with the flow: flows.jsonl, flows.parquet read back, and a lake judge
/// it as the capture's own audit does, however many shards the run had. An opening watched longer is still a failed attempt.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class UnansweredAtEndTests : IDisposable
{
    // client01 and fe01 of captures/lab.yaml; 5061 is fe01's required SIP over TLS (lync-fe-sip-tls), 443 its web service.
    private const string Client = "10.77.0.100", FrontEnd = "10.77.0.10";

    private readonly string _root = Directory.CreateTempSubdirectory("portaudit-unanswered-at-end-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// A capture of an answered connection to fe01:443 at 1.0 s (and one to fe01:<paramref name="port"/> at 1.1 s when
    /// <paramref name="answeredToo"/>), then a SYN to fe01:<paramref name="port"/> that nothing answers,
    /// <paramref name="synBeforeEnd"/> seconds before the capture's last packet: the SYN itself when 0, else an answered
    /// connection to 443 that far after it.
    /// </summary>
    internal static byte[] Capture(double synBeforeEnd, ushort port = 5061, bool answeredToo = false)
    {
        var builder = new PcapBuilder();
        builder.Add(Ethernet(Ip(Client, FrontEnd, 6, Tcp(50000, 443, Syn))), 1.0);
        builder.Add(Ethernet(Ip(FrontEnd, Client, 6, Tcp(443, 50000, Syn | Ack))), 1.001);
        if (answeredToo)
        {
            builder.Add(Ethernet(Ip(Client, FrontEnd, 6, Tcp(50003, port, Syn))), 1.1);
            builder.Add(Ethernet(Ip(FrontEnd, Client, 6, Tcp(port, 50003, Syn | Ack))), 1.101);
        }
        builder.Add(Ethernet(Ip(Client, FrontEnd, 6, Tcp(50001, port, Syn))), 1.2);
        if (synBeforeEnd > 0)
        {
            builder.Add(Ethernet(Ip(Client, FrontEnd, 6, Tcp(50002, 443, Syn))), 1.2 + synBeforeEnd - 0.001);
            builder.Add(Ethernet(Ip(FrontEnd, Client, 6, Tcp(443, 50002, Syn | Ack))), 1.2 + synBeforeEnd);
        }
        return builder.Build();
    }

    private string Write(byte[] capture)
    {
        string path = Path.Combine(_root, $"capture-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(path, capture);
        return path;
    }

    private static (List<(Flow Flow, FlowVerdict Verdict)> Flows, AuditReport Report) Audit(IReadOnlyList<IFlowSource> sources, int workers = 0)
    {
        var context = StoreFileAnswerTests.Lab.Value;
        var recorder = new SharedCaptureAuditTests.Recorder();
        var auditor = new FlowAuditor(context, recorder);
        var options = new FlowTableOptions { ServerPorts = context.ServerPorts };
        new TrafficRun(workers > 0 ? options with { Workers = workers } : options, auditor).Read(sources);
        return (recorder.Flows, auditor.Complete());
    }

    private static (Flow Flow, FlowVerdict Verdict) SynFlow(List<(Flow Flow, FlowVerdict Verdict)> flows) =>
        Assert.Single(flows, f => f.Flow.ServerPort == 5061);

    /// <summary>What a reader of the audit sees of the SYN to 5061 and of the books.</summary>
    internal static void AssertUnansweredAtEnd(List<(Flow Flow, FlowVerdict Verdict)> flows, AuditReport report)
    {
        var (flow, verdict) = SynFlow(flows);
        Assert.Equal((FlowState.Unanswered, true), (flow.State, flow.CutOff));
        Assert.Equal((Verdict.Expected, "lync-fe-sip-tls"), (verdict.Verdict, verdict.Rule?.Id));
        Assert.Equal((false, true, null), (verdict.FailedAttempt, verdict.UnansweredAtEnd, verdict.BlockedRule));
        Assert.Empty(verdict.Covered);
        Assert.StartsWith("unanswered at end of input", verdict.Reason);
        Assert.Equal(0, report.Summary.FailedAttempts);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.RequiredBlocked);
        // The instance was not shown in use, nor tried and failed: this capture does not exercise it.
        var instance = Assert.Single(report.Coverage, e => e.Rule.Id == "lync-fe-sip-tls" && e.ToHost == "fe01");
        Assert.Equal(0, instance.Tally.Flows);
        Assert.NotEqual(CoverageStatus.Failed, instance.Status);
        Assert.NotEqual(CoverageStatus.Seen, instance.Status);
        // The answered flow, begun within the same last second, is cut off too, but its answer shows it through: judged as ever.
        var answered = Assert.Single(flows, f => f.Flow.ServerPort == 443);
        Assert.Equal((FlowState.Established, true), (answered.Flow.State, answered.Flow.CutOff));
        Assert.Equal((false, false), (answered.Verdict.FailedAttempt, answered.Verdict.UnansweredAtEnd));
        Assert.NotEmpty(answered.Verdict.Covered);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_SYN_that_is_the_captures_last_packet_0_2_s_after_an_answered_flow_is_no_failed_attempt(int workers)
    {
        var (flows, report) = Audit(CaptureFileSource.Of([Write(Capture(0))]), workers);

        AssertUnansweredAtEnd(flows, report);
    }

    // Several captures in one run: the first's SYN is still held when its capture ends and is ended only by the second's
    // packets an hour later (idle), or at the run's end when the second comes first. A store of each capture, written
    // by a run of its own, marks it at its capture's end (StoreTests' three sensors): one run of the files judges alike.
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void A_SYN_at_the_end_of_one_of_several_captures_is_judged_by_where_its_own_capture_ended(int workers, bool laterFirst)
    {
        var later = new PcapBuilder();
        later.Add(Ethernet(Ip(Client, FrontEnd, 6, Tcp(50100, 443, Syn))), 3601.0);
        later.Add(Ethernet(Ip(FrontEnd, Client, 6, Tcp(443, 50100, Syn | Ack))), 3601.001);
        string first = Write(Capture(0)), second = Write(later.Build());
        var (flows, report) = Audit(CaptureFileSource.Of(laterFirst ? [second, first] : [first, second]), workers);

        var (flow, verdict) = SynFlow(flows);
        Assert.Equal((FlowState.Unanswered, true), (flow.State, flow.CutOff));
        Assert.Equal((false, true), (verdict.FailedAttempt, verdict.UnansweredAtEnd));
        Assert.Equal(0, report.Summary.FailedAttempts);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.RequiredBlocked);
        // The later capture's answered flow began in its own last second: marked, judged through as ever.
        Assert.All(flows.Where(f => f.Flow.ClientPort == 50100), f => Assert.True(f.Flow.CutOff));
    }

    [Fact]
    public void A_SYN_unanswered_2_s_before_the_end_of_its_capture_is_still_a_failed_attempt()
    {
        var (flows, report) = Audit(CaptureFileSource.Of([Write(Capture(2))]));

        var (flow, verdict) = SynFlow(flows);
        Assert.Equal((FlowState.Unanswered, false), (flow.State, flow.CutOff));
        Assert.Equal((true, false, "lync-fe-sip-tls"), (verdict.FailedAttempt, verdict.UnansweredAtEnd, verdict.BlockedRule?.Id));
        Assert.Equal(1, report.Summary.FailedAttempts);
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.RequiredBlocked && f.ServerHost == "fe01");
    }

    /// <summary>
    /// Zeek's conn.log of <see cref="Capture"/>: the answered connection to 443 at 1.0 s (SF), the SYN to 5061 at 1.2 s
    /// (S0), and with <paramref name="synBeforeEnd"/> above 0 a connection to 443 that far after it.
    /// </summary>
    private string ZeekLog(double synBeforeEnd)
    {
        const double Epoch = 1763632800;
        string Line(string uid, double ts, int port, int sourcePort, string state, double duration, int responderPackets) =>
            FormattableString.Invariant($"{Epoch + ts:F6}\t{uid}\t{Client}\t{sourcePort}\t{FrontEnd}\t{port}\ttcp\t-\t{duration:F6}\t{state}\t1\t60\t{responderPackets}\t{responderPackets * 60}\n");
        string log = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n" +
                     "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n" +
                     Line("C1", 1.0, 443, 50000, "S1", 0.001, 1) + Line("C2", 1.2, 5061, 50001, "S0", 0, 0) +
                     (synBeforeEnd > 0 ? Line("C3", 1.2 + synBeforeEnd - 0.001, 443, 50002, "S1", 0.001, 1) : "");
        string path = Path.Combine(_root, $"conn-{Guid.NewGuid():N}.log");
        File.WriteAllText(path, log);
        return path;
    }

    // A flow record carries no mark of where its input ended: a Zeek S0 record of the capture's last packet, its SYN,
    // was a failed attempt and a required-blocked finding of fe01's 5061, where the capture's own audit says unanswered
    // at end of input. The records' input ends at their newest time, as a capture's at its newest packet.
    [Fact]
    public void A_Zeek_S0_record_begun_in_its_logs_last_second_is_unanswered_at_end_as_in_the_capture()
    {
        var (flows, report) = Audit(RecordFileSource.Of([ZeekLog(0)]));

        AssertUnansweredAtEnd(flows, report);
    }

    [Fact]
    public void A_Zeek_S0_record_2_s_before_its_logs_end_is_still_a_failed_attempt()
    {
        var (flows, report) = Audit(RecordFileSource.Of([ZeekLog(2)]));

        var (flow, verdict) = SynFlow(flows);
        Assert.Equal((FlowState.Unanswered, false), (flow.State, flow.CutOff));
        Assert.Equal((true, "lync-fe-sip-tls"), (verdict.FailedAttempt, verdict.BlockedRule?.Id));
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.RequiredBlocked && f.ServerHost == "fe01");
        // Only the last connection began in the log's last second.
        Assert.Equal(["C3"], flows.Where(f => f.Flow.CutOff).Select(f => f.Flow.RecordId));
    }

    [Fact]
    public void An_undecodable_frame_after_the_SYN_is_where_the_input_ended()
    {
        // The capture ran 2 s past the SYN, though no later packet reached a flow: the opening had its second.
        var builder = new PcapBuilder();
        builder.Add(Ethernet(Ip(Client, FrontEnd, 6, Tcp(50001, 5061, Syn))), 1.0);
        builder.Add(EthernetOf(PacketDotNet.EthernetType.Arp, new byte[28]), 3.0);

        var (flows, report) = Audit(CaptureFileSource.Of([Write(builder.Build())]));

        Assert.False(SynFlow(flows).Flow.CutOff);
        Assert.Equal(1, report.Summary.FailedAttempts);
    }

    [Fact]
    public void The_flow_record_says_cutOff_and_the_note_says_why()
    {
        string capture = Write(Capture(0));
        string output = Path.Combine(_root, "flows.jsonl");
        using (var writer = new AuditedFlowWriter(File.Create(output)))
        {
            var auditor = new FlowAuditor(StoreFileAnswerTests.Lab.Value, writer);
            new TrafficRun(new FlowTableOptions { ServerPorts = StoreFileAnswerTests.Lab.Value.ServerPorts }, auditor).Read(CaptureFileSource.Of([capture]));
            auditor.Complete();
            writer.Complete();
        }

        var records = File.ReadAllLines(output).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var syn = Assert.Single(records, r => r.GetProperty("serverPort").GetInt32() == 5061);
        Assert.True(syn.GetProperty("cutOff").GetBoolean());
        Assert.StartsWith("unanswered at end of input", syn.GetProperty("note").GetString());
        // The answered flow began in the same last second: cut off too, and its note says nothing of it.
        var answered = Assert.Single(records, r => r.GetProperty("serverPort").GetInt32() == 443);
        Assert.True(answered.GetProperty("cutOff").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answered.GetProperty("note").ValueKind);
    }

    [Fact]
    public void Flows_parquet_read_back_keeps_the_mark_and_the_judgement()
    {
        string capture = Write(Capture(0));
        string parquet = Path.Combine(_root, "flows.parquet");
        using (var writer = new ParquetFlowWriter(File.Create(parquet)))
        {
            new TrafficRun(new FlowTableOptions(), new FlowRecordObserver(writer)).Read(CaptureFileSource.Of([capture]));
            writer.Complete();
        }

        var (flows, report) = Audit(RecordFileSource.Of([parquet]));

        AssertUnansweredAtEnd(flows, report);
    }

    [Fact]
    public void A_lake_judges_the_flows_as_the_capture_did_and_files_without_the_column_read_as_before()
    {
        string capture = Write(Capture(0));
        string lake = Path.Combine(_root, "lake") + "/";
        IReadOnlyList<IFlowSource> sources = CaptureFileSource.Of([capture]);
        using (var writer = new LakeFlowWriter(lake, new LakeWriterSettings { Sensor = "edge", Inputs = sources.Select(s => s.Name).ToList() }))
        {
            new TrafficRun(new FlowTableOptions(), writer).Read(sources);
            writer.Complete();
        }
        var store = FlowStores.Parse(lake);

        var (flows, report) = Audit(store.OpenSources(new StoreQuery()));
        AssertUnansweredAtEnd(flows, report);

        // The files as a build before the column wrote them: the SYN is a failed attempt, as it was judged then.
        foreach (string file in Directory.GetFiles(lake, "*.parquet", SearchOption.AllDirectories))
        {
            LakeSql($"COPY (SELECT * EXCLUDE (cut_off) FROM read_parquet('{file}')) TO '{file}.old' (FORMAT parquet)");
            File.Move(file + ".old", file, overwrite: true);
        }
        var (old, oldReport) = Audit(store.OpenSources(new StoreQuery()));
        Assert.False(SynFlow(old).Flow.CutOff);
        Assert.True(SynFlow(old).Verdict.FailedAttempt);
        Assert.Equal(1, oldReport.Summary.FailedAttempts);
    }

    private static void LakeSql(string sql)
    {
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // fe01 serves nothing on 23: a SYN to it is unexpected. Cut off by the capture's end, it was not seen through, as a
    // refused one is not: the finding was of medium severity, the one of traffic that got through, and did not say why.
    [Theory]
    [InlineData(0.0, false, 1, 0, 1, "1 (0), 1 unanswered at end")]
    [InlineData(2.0, false, 1, 1, 0, "1 (1)")]
    [InlineData(0.0, true, 2, 0, 1, "2 (0), 1 unanswered at end")]
    public void An_unexpected_finding_none_of_whose_flows_was_seen_through_is_low(double synBeforeEnd, bool answeredToo,
        long flows, long failed, long unansweredAtEnd, string cell)
    {
        var (_, report) = Audit(CaptureFileSource.Of([Write(Capture(synBeforeEnd, 23, answeredToo))]));

        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.Unexpected && f.Ports == "23");
        Assert.Equal((flows, failed, unansweredAtEnd), (finding.Tally.Flows, finding.Tally.FailedFlows, finding.Tally.UnansweredAtEndFlows));
        Assert.Equal(answeredToo ? Severity.Medium : Severity.Low, finding.Severity);
        Assert.Equal(cell, PortAudit.Report.FindingText.FlowsAndFailed(finding.Tally));
    }
}
