using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Flows;

/// <summary>--filter, --since and --until: which flows reach the consumers, read in process.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FlowFilterTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-filter");

    // Three flows: TCP 10.0.0.1 -> 10.0.0.2:5061 at 1700000000 s, UDP 10.0.0.3 -> 192.168.1.4:3478 at +10 s,
    // UDP 10.0.0.5 -> 10.0.0.6:53 at +20 s.
    private string Capture()
    {
        var bytes = new PcapBuilder()
            .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50000, 5061, Syn))), 0)
            .Add(Ethernet(Ipv4("10.0.0.3", "192.168.1.4", 17, Udp(40000, 3478))), 10)
            .Add(Ethernet(Ipv4("10.0.0.5", "10.0.0.6", 17, Udp(40001, 53))), 20)
            .Build();
        string path = Path.Combine(_dir.FullName, "three.pcap");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private int[] ServerPorts(string? expression, string? since = null, string? until = null)
    {
        long? Time(string? text) => text is null ? null : FlowFilter.TryParseTime(text, out long ns) ? ns : throw new FormatException(text);
        var collected = new Collector();
        var run = new TrafficRun(new FlowTableOptions { Selection = FlowFilter.Create(expression, Time(since), Time(until)) }, collected);
        run.Read(CaptureFileSource.Of([Capture()]));
        return collected.Flows.Select(f => (int)f.ServerPort).Order().ToArray();
    }

    [Theory]
    [InlineData("port 5061", new[] { 5061 })]
    [InlineData("port 53,3478", new[] { 53, 3478 })]
    [InlineData("transport udp", new[] { 53, 3478 })]
    [InlineData("not transport udp", new[] { 5061 })]
    [InlineData("host 10.0.0.3", new[] { 3478 })]
    [InlineData("net 192.168.0.0/16", new[] { 3478 })]
    [InlineData("net 10.0.0.0/8 and not port 53", new[] { 3478, 5061 })]
    [InlineData("transport udp and not net 192.168.0.0/16", new[] { 53 })]
    public void TermsSelectFlows(string expression, int[] serverPorts) => Assert.Equal(serverPorts, ServerPorts(expression));

    [Fact]
    public void TheWindowTakesFlowsByStartInIsoOrEpochSeconds()
    {
        // The builder's times are seconds after 1700000000 (2023-11-14T22:13:20Z).
        Assert.Equal([53, 3478], ServerPorts(null, since: "1700000005"));
        Assert.Equal([3478, 5061], ServerPorts(null, until: "2023-11-14T22:13:40Z"));
        Assert.Equal([3478], ServerPorts(null, since: "2023-11-14T23:13:25+01:00", until: "1700000015.5"));
    }

    [Theory]
    [InlineData("port", "ends early")]
    [InlineData("port 70000", "port 70000: expected a number from 0 to 65535")]
    [InlineData("hots 10.0.0.1", "unknown term 'hots' (expected host, net, port, transport, verdict)")]
    [InlineData("verdict allowed", "verdict allowed: expected expected, expected-dynamic-rpc, protocol-mismatch, unexpected, unmapped, ignored")]
    [InlineData("host 10.0.0.1 port 53", "expected 'and' before 'port'")]
    [InlineData("net 10.0.0.1/8", "net 10.0.0.1/8: ")]
    [InlineData("transport tcpp", "transport tcpp: expected tcp, udp")]
    public void AMalformedExpressionSaysWhatIsWrong(string expression, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => FlowFilter.Create(expression, null, null)).Message);

    [Fact]
    public void VerdictTermsAreLeftToTheAuditAndSelectJudgedFlows()
    {
        var filter = FlowFilter.Create("port 22 and not verdict expected,ignored", null, null)!;

        Assert.True(filter.JudgesVerdicts);
        Assert.True(filter.SelectsVerdict(PortAudit.Audit.Verdict.Unexpected));
        Assert.False(filter.SelectsVerdict(PortAudit.Audit.Verdict.Expected));
        Assert.False(filter.SelectsVerdict(PortAudit.Audit.Verdict.Ignored));
        Assert.False(FlowFilter.Create("port 22", null, null)!.JudgesVerdicts);
        Assert.Equal([5061], ServerPorts("verdict unexpected and port 5061"));
    }

    [Fact]
    public void NoFilterIsNull() => Assert.Null(FlowFilter.Create(" ", null, null));

    public void Dispose() => _dir.Delete(recursive: true);

    private sealed class Collector : IFlowObserver
    {
        public List<Flow> Flows { get; } = [];

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in PortAudit.Decode.DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow) => Flows.Add(flow);
    }
}
