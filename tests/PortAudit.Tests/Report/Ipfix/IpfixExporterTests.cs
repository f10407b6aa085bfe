using System.Text;
using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Pipeline;
using PortAudit.Report.Ipfix;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records.Ipfix;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Report.Ipfix;

[Trait(Tier.Name, Tier.Unit)]
public sealed class IpfixExporterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Flows of both families and of TCP, UDP and ICMP, with counters both ways and application labels, enough of them
    /// for several messages and for sets that change template within a message.
    /// </summary>
    private static List<Flow> MixedFlows(int count)
    {
        var flows = new List<Flow>();
        long start = Noon.ToUnixTimeMilliseconds() * 1_000_000 + 123_456;
        for (int i = 0; i < count; i++)
        {
            bool v6 = i % 3 == 1;
            byte protocol = (i % 5) switch { 0 => IpProtocol.Tcp, 4 => v6 ? IpProtocol.IcmpV6 : IpProtocol.Icmp, _ => IpProtocol.Udp };
            bool icmp = protocol is IpProtocol.Icmp or IpProtocol.IcmpV6;
            var record = new FlowRecord
            {
                Protocol = protocol,
                Client = v6 ? IpAddr.Parse($"2001:db8::{i + 1:x}") : IpAddr.Parse($"10.0.{i / 250}.{i % 250 + 1}"),
                ClientPort = icmp ? (ushort)0 : (ushort)(40000 + i),
                Server = v6 ? IpAddr.Parse("2001:db8:ffff::53") : IpAddr.Parse("192.0.2.10"),
                ServerPort = icmp ? (ushort)0 : (ushort)(i % 2 == 0 ? 5061 : 53),
                IcmpType = icmp ? (byte)(v6 ? 128 : 8) : (byte)0,
                StartNs = start + i * 1_000_000_007L,
                EndNs = start + i * 1_000_000_007L + 2_500_000_000L,
                PacketsToServer = i + 1,
                BytesToServer = (i + 1) * 100L,
                PacketsToClient = i % 7,
                BytesToClient = i % 7 * 1_000_000_000L,
                State = FlowState.Established,
                App = (i % 4) switch { 0 => AppLabel.Sip, 1 => AppLabel.Dns, 2 => AppLabel.Of("some-label-of-our-own"), _ => null },
            };
            flows.Add(Flow.FromRecord(i + 1, record));
        }
        return flows;
    }

    private static (IpfixExporter Exporter, CollectingTransport Transport) Exporter(IpfixExportSettings? settings = null, TimeProvider? clock = null)
    {
        var transport = new CollectingTransport();
        return (new IpfixExporter(transport, settings ?? new IpfixExportSettings(), time: clock ?? new ManualClock(Noon)), transport);
    }

    private static string Canonical(FlowRecord r) =>
        $"{r.Protocol} {r.Client}:{r.ClientPort} > {r.Server}:{r.ServerPort} icmp {r.IcmpType}/{r.IcmpCode} " +
        $"{r.StartNs / 1_000_000}..{r.EndNs / 1_000_000} ms {r.PacketsToServer}/{r.BytesToServer} back {r.PacketsToClient}/{r.BytesToClient} app {r.App?.Name}";

    private static string Canonical(Flow f) =>
        $"{f.Protocol} {f.Client}:{f.ClientPort} > {f.Server}:{f.ServerPort} icmp {f.IcmpType}/{f.IcmpCode} " +
        $"{f.StartNs / 1_000_000}..{f.EndNs / 1_000_000} ms {f.PacketsToServer}/{f.BytesToServer} back {f.PacketsToClient}/{f.BytesToClient} app {f.App?.Name}";

    [Fact]
    public void Exported_flows_read_back_through_our_IPFIX_reader_are_the_same_flows()
    {
        var flows = MixedFlows(500);
        var (exporter, transport) = Exporter();
        foreach (var flow in flows) exporter.OnFlowEnd(flow);
        exporter.Complete();

        var statistics = new RecordStatistics();
        var pairer = new IpfixFlowPairer();
        var decoder = new IpfixDecoder(statistics, pairer);
        foreach (var message in transport.Messages)
            Assert.Equal(message.Length, decoder.Decode(message, datagram: true, IpAddr.Parse("127.0.0.1"), "export", 0));
        var read = new List<FlowRecord>();
        while (pairer.TryTake(out var record)) read.Add(record);

        Assert.Equal(0, statistics.Rejected);
        Assert.Equal(0, pairer.PendingCount);
        Assert.True(transport.Messages.Count > 5, $"{transport.Messages.Count} messages");
        Assert.Equal(flows.Select(Canonical), read.Select(Canonical));
        Assert.All(read, r => Assert.Equal(r.App is null ? FlowEvidence.PortOnly : FlowEvidence.ExporterAppId, r.Evidence));
        Assert.Equal(500, exporter.Flows);
    }

    [Fact]
    public void Messages_fit_the_size_and_number_the_records_of_their_domain()
    {
        var flows = MixedFlows(400);
        var settings = new IpfixExportSettings { MaxMessageSize = 1100, ObservationDomain = 7 };
        var (exporter, transport) = Exporter(settings);
        foreach (var flow in flows) exporter.OnFlowEnd(flow);
        exporter.Complete();

        var messages = transport.Messages.Select(m => ExportedMessage.Read(m, IpfixExportLayout.Of(verdicts: false))).ToList();
        uint expectedSequence = 0;
        foreach (var (message, bytes) in messages.Zip(transport.Messages))
        {
            Assert.Equal(10, message.Version);
            Assert.Equal(bytes.Length, message.Length);
            Assert.InRange(bytes.Length, 1, 1100);
            Assert.Equal(7u, message.Domain);
            Assert.Equal((uint)Noon.ToUnixTimeSeconds(), message.ExportSeconds);
            Assert.Equal(expectedSequence, message.Sequence);
            expectedSequence += (uint)message.Records.Count;
        }
        Assert.Equal(400u, expectedSequence);
        Assert.Equal(exporter.Messages, transport.Messages.Count);
        // Full messages, not one per flow: all but the last hold nearly as much as they may.
        Assert.All(transport.Messages.SkipLast(1), m => Assert.True(m.Length > 1100 - 120, $"a message of {m.Length} bytes went out early"));
        Assert.True(messages[0].HasTemplates);
        // The biflow layout: the reverse direction under RFC 5103's enterprise, the source the initiator.
        var first = messages[0].Records[0];
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }, first[(IpfixElements.ReverseEnterprise, IpfixElements.PacketDeltaCount)]);
        Assert.Equal(new byte[] { 1 }, first[(0, IpfixElements.BiflowDirection)]);
        Assert.Equal("sip", Encoding.UTF8.GetString(first[(0, IpfixElements.ApplicationName)]));
    }

    [Fact]
    public void Templates_go_again_after_the_refresh_interval_and_after_the_refresh_count()
    {
        var clock = new ManualClock(Noon);
        var settings = new IpfixExportSettings { TemplateRefresh = TimeSpan.FromSeconds(60), TemplateRefreshMessages = 5, FlushInterval = TimeSpan.FromHours(1) };
        var (exporter, transport) = Exporter(settings, clock);
        var flow = MixedFlows(1)[0];

        void OneMessage()
        {
            exporter.OnFlowEnd(flow);
            exporter.Complete();
        }

        OneMessage();
        OneMessage();
        clock.Advance(TimeSpan.FromSeconds(61));
        OneMessage();
        for (int i = 0; i < 6; i++) OneMessage();

        var withTemplates = transport.Messages.Select((m, i) => (ExportedMessage.Read(m, IpfixExportLayout.Of(false)).HasTemplates, i))
            .Where(m => m.HasTemplates).Select(m => m.i);
        // The first; the third, 61 s later; then every fifth message after it.
        Assert.Equal([0, 2, 7], withTemplates);
    }

    [Fact]
    public void A_message_that_has_waited_the_flush_interval_goes_at_the_next_flow()
    {
        var clock = new ManualClock(Noon);
        var (exporter, transport) = Exporter(new IpfixExportSettings { FlushInterval = TimeSpan.FromSeconds(1) }, clock);
        var flows = MixedFlows(3);
        exporter.OnFlowEnd(flows[0]);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        exporter.OnFlowEnd(flows[1]);
        Assert.Empty(transport.Messages);
        clock.Advance(TimeSpan.FromMilliseconds(600));
        exporter.OnFlowEnd(flows[2]);
        var sent = Assert.Single(transport.Messages);
        Assert.Equal(3, ExportedMessage.Read(sent, IpfixExportLayout.Of(false)).Records.Count);
    }

    [Fact]
    public void Judged_flows_carry_the_verdict_rule_and_finding_kind_of_flows_jsonl_in_our_enterprise_elements()
    {
        using var dir = new TempDirectory();
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        var transport = new CollectingTransport();
        using var exporter = new IpfixExporter(transport, new IpfixExportSettings { Verdicts = true });
        AuditOutcome outcome;
        using (var run = new AuditRun(context, new AuditSettings { OutputDirectory = dir.File(""), JudgedFlowSinks = [exporter] }, new FlowTableOptions()))
            outcome = run.Run(CaptureFileSource.Of([SharedData.InRepository("captures/lab.pcapng")]));
        exporter.Complete();

        var records = transport.Messages.SelectMany(m => ExportedMessage.Read(m, IpfixExportLayout.Of(verdicts: true)).Records).ToList();
        var exported = records
            .Select(r => $"{Port(r, IpfixElements.SourceTransportPort)}>{Port(r, IpfixElements.DestinationTransportPort)} " +
                         $"{Text(r, PortAuditElements.Verdict)} rule '{Text(r, PortAuditElements.RuleId)}'")
            .Order().ToList();
        var written = File.ReadAllLines(dir.File("flows.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(f => $"{f.GetProperty("clientPort").GetInt32()}>{f.GetProperty("serverPort").GetInt32()} {f.GetProperty("verdict").GetString()} " +
                         $"rule '{f.GetProperty("rule").GetString()}'")
            .Order().ToList();
        Assert.Equal(written, exported);

        // Each flow's finding kind, as the report counts flows in findings of that kind.
        var byKind = records.Select(r => Text(r, PortAuditElements.FindingKind)).Where(k => k.Length > 0).GroupBy(k => k)
            .ToDictionary(g => g.Key, g => (long)g.Count());
        var reported = outcome.Report.Findings.Where(f => f.Tally.Flows > 0).GroupBy(f => f.Kind.Name())
            .ToDictionary(g => g.Key, g => g.Sum(f => f.Tally.Flows));
        Assert.Equal(reported.OrderBy(k => k.Key), byKind.OrderBy(k => k.Key));
        // The lab's refused SIP/TLS attempt is required-blocked, and HTTP on 8000 unexpected.
        Assert.Contains(records, r => Text(r, PortAuditElements.FindingKind) == "required-blocked" && Text(r, PortAuditElements.RuleId) == "lync-fe-sip-tls");
        Assert.Contains(records, r => Port(r, IpfixElements.DestinationTransportPort) == 8000 && Text(r, PortAuditElements.FindingKind) == "unexpected");
    }

    private static int Port(Dictionary<(uint, ushort), byte[]> record, ushort id) => record[(0, id)][0] << 8 | record[(0, id)][1];

    private static string Text(Dictionary<(uint, ushort), byte[]> record, ushort id) => Encoding.UTF8.GetString(record[(PortAuditElements.Enterprise, id)]);

    [Fact]
    public void Exporting_a_flow_allocates_nothing()
    {
        var flows = MixedFlows(64);
        using var exporter = new IpfixExporter(new CountingTransport(), new IpfixExportSettings());
        foreach (var flow in flows) exporter.OnFlowEnd(flow);

        long allocated = ThreadAllocation.Least(3, () =>
        {
            for (int i = 0; i < 20_000; i++) exporter.OnFlowEnd(flows[i % flows.Count]);
            exporter.Complete();
        });

        Assert.True(exporter.Messages > 3000, $"{exporter.Messages} messages");
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for 20000 flows");
    }

    [Fact]
    public void Text_longer_than_the_limit_is_cut_at_a_character_boundary()
    {
        var record = new FlowRecord
        {
            Protocol = IpProtocol.Udp, Client = IpAddr.Parse("10.0.0.1"), Server = IpAddr.Parse("10.0.0.2"), ServerPort = 53,
            App = AppLabel.Of(new string('é', 100)),
        };
        var (exporter, transport) = Exporter();
        exporter.OnFlowEnd(Flow.FromRecord(1, record));
        exporter.Complete();

        var name = ExportedMessage.Read(transport.Messages.Single(), IpfixExportLayout.Of(false)).Records.Single()[(0, IpfixElements.ApplicationName)];
        Assert.Equal(IpfixExportLayout.MaxTextBytes, name.Length);
        Assert.Equal(new string('é', 64), Encoding.UTF8.GetString(name));
    }

    private sealed class CountingTransport : IIpfixTransport
    {
        public string Name => "counting";

        public bool TrySend(ReadOnlySpan<byte> message, out string? problem)
        {
            problem = null;
            return message.Length > 0;
        }

        public void Dispose() { }
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;

        public override long GetTimestamp() => _now.UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
