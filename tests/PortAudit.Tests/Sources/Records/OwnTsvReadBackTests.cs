using System.Text;
using System.Text.Json.Nodes;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// The TSV of <c>flows -f tsv</c> read back: detected as a Zeek log (its header is Zeek's), it was read with conn.log's
/// column names only, and every record of it rejected ("no ts"). Its own columns now give the flows that were written.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class OwnTsvReadBackTests : IDisposable
{
    // Fields of flows.jsonl our TSV does not carry back: the id (renumbered), the ICMP errors (no flow record holds
    // them), and the duration: lab.pcapng's times have nanoseconds, the TSV's microseconds, so the
    // end minus the start read back may be a microsecond off the capture's (0.000543403 s written 0.000543, read 0.000544).
    private static readonly string[] NotCarried = ["id", "duration", "icmpErrors", "icmpError"];

    private readonly ScratchDirectory _dir = new("portaudit-tsv-back");

    [Fact]
    public void The_tsv_of_the_lab_capture_reads_back_as_its_flows()
    {
        string capture = SharedData.InRepository("captures/lab.pcapng"), tsv = Path.Combine(_dir.FullName, "flows.tsv");
        using (var writer = new TsvFlowWriter(File.Create(tsv)))
        {
            new TrafficRun(new FlowTableOptions(), new FlowRecordObserver(writer)).Read(CaptureFileSource.Of([capture]));
            writer.Complete();
        }

        var fromCapture = RecordRun.Of(new FlowTableOptions(), [.. CaptureFileSource.Of([capture])]);
        var readBack = RecordRun.File(tsv);

        Assert.Equal(RecordFormat.ZeekTsv, RecordFormats.Detect(File.ReadAllBytes(tsv)));
        Assert.Equal(0, readBack.Records.Rejected);
        Assert.Equal(16, fromCapture.Flows.Count);
        var (written, read) = (Jsonl(fromCapture.Flows), Jsonl(readBack.Flows));
        Assert.Equal(written.Count, read.Count);
        for (int i = 0; i < written.Count; i++) Assert.Equal(written[i], read[i]);
    }

    [Fact]
    public void Our_own_columns_give_icmp_type_state_app_detail_and_the_writers_cut_off_mark()
    {
        // An echo request and an SCTP opening in the input's last second: conn.log's mapping alone would take ports 0 for
        // ICMP type 0 (echo-reply), name no sctp, and the input's end would mark both cut off, where the writing run did not.
        var flows = RecordRun.Text(Tsv(
            "1\t1700000000.000001\t1700000000.250002\t0.250001\ticmp\t10.0.0.1\t0\t10.0.0.2\t0\t-\t1\t84\t0\t0\tunanswered\t-\t-\t-\t-\t-\tport-only\t-\t8\t0\t0\t-\t-\tF\topening\tF\t0\tF\t-\t-\t-\t-",
            "2\t1700000000.100000\t1700000000.100000\t0.000000\tsctp\t10.0.0.1\t40000\t10.0.0.3\t3868\t-\t1\t100\t1\t60\trejected\tdiameter\tinit; reason=abort\t-\t-\t-\tinspected\tr-7\t-\t-\t0\t-\tgre-1\tT\topening\tF\t0\tF\t-\t-\t-\t-")).Flows;

        Assert.Equal(2, flows.Count);
        var (icmp, sctp) = (flows[0], flows[1]);
        Assert.Equal((8, 0, FlowState.Unanswered, 250_002_000L, false), (icmp.IcmpType, icmp.IcmpCode, icmp.State, icmp.EndNs - 1_700_000_000_000_000_000, icmp.CutOff));
        Assert.Equal((PortAudit.Common.IpProtocol.Sctp, (ushort)3868, FlowState.Rejected, "diameter", FlowEvidence.Inspected, "r-7", true),
            (sctp.Protocol, sctp.ServerPort, sctp.State, sctp.App?.Name, sctp.Evidence, sctp.RecordId, sctp.CutOff));
        Assert.Equal("init; reason=abort", sctp.AppDetail?.ToString());
        Assert.Equal("gre-1", sctp.Tunnel?.Id);
    }

    [Theory]
    [InlineData("half-open", "dns", "state 'half-open' is not a flow state")]
    // afl's zeek-tsv target: two tabs in a row where the app column is (no writer of ours leaves it empty) threw
    // ArgumentException out of AppLabel.Of, an unhandled exception instead of a rejected line.
    [InlineData("unanswered", "", "app '' is not an application label")]
    public void A_bad_value_in_our_own_column_rejects_the_record_naming_the_column(string state, string app, string problem)
    {
        var run = RecordRun.Text(Tsv(
            $"1\t1700000000.000001\t1700000000.250002\t0.250001\tudp\t10.0.0.1\t5000\t10.0.0.2\t53\t-\t1\t84\t0\t0\t{state}\t{app}\t-\t-\t-\t-\tport-only\t-\t-\t-\t0\t-\t-\tF\topening\tF\t0\tF\t-\t-\t-\t-"));

        Assert.Empty(run.Flows);
        Assert.Equal(1, run.Records.Rejected);
        Assert.Contains(run.Records.Problems, p => p.ToString().Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Backslashes_and_bidi_controls_the_writer_escaped_read_back_as_they_were()
    {
        // TsvFlowWriter writes a backslash as \\ and U+202E as \u202E: the reader, knowing only Zeek's \xHH, gave back
        // \\\\fs01\\IPC$ for \\fs01\IPC$ and the six characters \u202E for the bidi control.
        var record = new FlowRecord
        {
            Protocol = PortAudit.Common.IpProtocol.Tcp, Client = PortAudit.Common.IpAddr.Parse("10.0.0.1"), ClientPort = 40000,
            Server = PortAudit.Common.IpAddr.Parse("10.0.0.2"), ServerPort = 445, StartNs = 1_700_000_000_000_000_000,
            EndNs = 1_700_000_001_000_000_000, PacketsToServer = 1, State = FlowState.Established,
            AppDetail = PortAudit.Flows.Facts.AppDetail.Parse(@"tree; path=\\fs01\IPC$"), RecordId = "r\u202Eexe.txt",
        };
        string tsv = Path.Combine(_dir.FullName, "escaped.tsv");
        using (var writer = new TsvFlowWriter(File.Create(tsv)))
        {
            writer.Write(Flow.FromRecord(1, record));
            writer.Complete();
        }
        Assert.Contains(@"path=\\\\fs01\\IPC$", File.ReadAllText(tsv));

        var flow = Assert.Single(RecordRun.File(tsv).Flows);

        Assert.Equal(@"tree; path=\\fs01\IPC$", flow.AppDetail?.ToString());
        Assert.Equal("r\u202Eexe.txt", flow.RecordId);
    }

    // Lines under the header TsvFlowWriter writes.
    private static string Tsv(params string[] lines)
    {
        using var header = new MemoryStream();
        new TsvFlowWriter(header).Complete();
        return Encoding.UTF8.GetString(header.ToArray()) + string.Join('\n', lines) + "\n";
    }

    // The flows as flows.jsonl writes them, without the fields our TSV does not carry.
    private static List<string> Jsonl(IReadOnlyList<Flow> flows)
    {
        using var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output))
        {
            foreach (var flow in flows) writer.Write(flow);
            writer.Complete();
            var lines = new List<string>();
            foreach (var line in Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var record = JsonNode.Parse(line)!.AsObject();
                foreach (var field in NotCarried) record.Remove(field);
                lines.Add(record.ToJsonString());
            }
            return lines;
        }
    }

    public void Dispose() => _dir.Dispose();
}
