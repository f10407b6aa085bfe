using System.Text.Json;
using PacketDotNet;
using PortAudit.Audit;
using PortAudit.Report.Audits;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// An audit of packets says how many it read and how many are in no flow, by why (report.json <c>packets</c>, report.md,
/// report.html, and the console when some were cut or malformed): the verdicts rest on the others.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class PacketCountsTests : IDisposable
{
    private readonly InProcessAudit _audit = new();

    public void Dispose() => _audit.Dispose();

    // An answered connection to 135, two ARP frames, one frame cut inside its IP header and one TCP header of one word.
    private string Capture()
    {
        var malformed = Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50002, 135, Syn)));
        malformed[14 + 20 + 12] = 0x10; // a data offset of one word, below TCP's five
        var pcap = new PcapBuilder()
            .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50001, 135, Syn))), 1)
            .Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(135, 50001, Syn | Ack))), 1.1)
            .Add(EthernetOf(EthernetType.Arp, new byte[28]), 1.2)
            .Add(EthernetOf(EthernetType.Arp, new byte[28]), 1.3)
            .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50003, 135, Syn))), 1.4, captured: 14 + 12)
            .Add(malformed, 1.5);
        string path = Path.Combine(_audit.Root, "mixed.pcap");
        File.WriteAllBytes(path, pcap.Build());
        return path;
    }

    private string Output(string file) => File.ReadAllText(Path.Combine(_audit.OutDir, file));

    [Fact]
    public void The_reports_count_the_packets_read_and_those_in_no_flow()
    {
        string capture = Capture();
        using var run = _audit.Open();
        var outcome = run.Run([new CaptureFileSource(capture)]);

        using var json = JsonDocument.Parse(Output(AuditReportFiles.Json));
        var packets = json.RootElement.GetProperty("packets");
        Assert.Equal(6, packets.GetProperty("read").GetInt64());
        Assert.Equal(new FileInfo(capture).Length - 24 - 6 * 16, packets.GetProperty("bytes").GetInt64());
        Assert.Equal(2, packets.GetProperty("notIp").GetInt64());
        Assert.Equal(1, packets.GetProperty("truncated").GetInt64());
        Assert.Equal(1, packets.GetProperty("malformed").GetInt64());
        Assert.Equal(0, packets.GetProperty("unsupportedLinkType").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("flows").GetInt64());

        string said = $"6 packets read, {packets.GetProperty("bytes").GetInt64()} bytes captured; in no flow: 2 not IP, 1 truncated, 1 malformed";
        Assert.Contains($"Packets: {said}.", Output(AuditReportFiles.Markdown));
        Assert.Contains(said, Output(AuditReportFiles.Html));
        var console = new StringWriter();
        AuditConsoleSummary.Write(console, outcome.Report, "out");
        Assert.Contains($"packets: {said}\n", console.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_capture_every_packet_of_which_decoded_has_no_packets_line_on_the_console()
    {
        using var run = _audit.Open();
        var outcome = run.Run([new CaptureFileSource(_audit.Capture(135))]);

        Assert.Equal(new PacketCounts(2, outcome.Report.Packets.Bytes, 0, 0, 0, 0), outcome.Report.Packets);
        var console = new StringWriter();
        AuditConsoleSummary.Write(console, outcome.Report, "out");
        Assert.DoesNotContain("packets:", console.ToString());
        Assert.Contains("Packets: 2 packets read", Output(AuditReportFiles.Markdown));
    }

    [Fact]
    public void Flow_records_have_no_packet_counts()
    {
        string path = Path.Combine(_audit.Root, "conn.log");
        File.WriteAllText(path, ConnLogs.WithRejected(5, 0));
        using var run = _audit.Open();
        run.Run([new PortAudit.Sources.Records.RecordFileSource(path, PortAudit.Sources.Records.RecordFormat.ZeekTsv)]);

        using var json = JsonDocument.Parse(Output(AuditReportFiles.Json));
        Assert.False(json.RootElement.TryGetProperty("packets", out _));
        Assert.DoesNotContain("Packets:", Output(AuditReportFiles.Markdown));
    }
}
