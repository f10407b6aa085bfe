using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Pipeline.Filter;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Pipeline.Filter;

/// <summary>--filter, --since and --until: which flows reach the consumers, read in process.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FlowFilterTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-filter");

    // Four flows: TCP 10.0.0.1:50000 -> 10.0.0.2:5061 at 1700000000 s, answered (established); UDP 10.0.0.3 ->
    // 192.168.1.4:3478 at +10 s; UDP 10.0.0.5 -> 10.0.0.6:53 at +20 s; TCP 10.0.0.2:50001 -> 10.0.0.1:445 at +30 s, unanswered.
    private string Capture()
    {
        var bytes = new PcapBuilder()
            .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50000, 5061, Syn))), 0)
            .Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(5061, 50000, Syn | Ack))), 0.001)
            .Add(Ethernet(Ipv4("10.0.0.3", "192.168.1.4", 17, Udp(40000, 3478))), 10)
            .Add(Ethernet(Ipv4("10.0.0.5", "10.0.0.6", 17, Udp(40001, 53))), 20)
            .Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(50001, 445, Syn))), 30)
            .Build();
        string path = Path.Combine(_dir.FullName, "four.pcap");
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
    [InlineData("port 53, 3478", new[] { 53, 3478 })]
    [InlineData("port 400-5000", new[] { 445, 3478 })]
    [InlineData("portrange 5000-6000", new[] { 5061 })]
    [InlineData("transport udp", new[] { 53, 3478 })]
    [InlineData("udp", new[] { 53, 3478 })]
    [InlineData("not transport udp", new[] { 445, 5061 })]
    [InlineData("!tcp", new[] { 53, 3478 })]
    [InlineData("host 10.0.0.3", new[] { 3478 })]
    [InlineData("net 192.168.0.0/16", new[] { 3478 })]
    [InlineData("net 10.0.0.0/8 and not port 53", new[] { 445, 3478, 5061 })]
    [InlineData("transport udp and not net 192.168.0.0/16", new[] { 53 })]
    [InlineData("port 53 or port 5061", new[] { 53, 5061 })]
    [InlineData("(port 53 or port 5061)", new[] { 53, 5061 })]
    [InlineData("port 53 || port 5061 && host 10.0.0.9", new[] { 53 })]
    [InlineData("(port 53 or port 5061) and host 10.0.0.9", new int[0])]
    [InlineData("not (port 53 or tcp)", new[] { 3478 })]
    [InlineData("src host 10.0.0.2", new[] { 445 })]
    [InlineData("dst host 10.0.0.2", new[] { 5061 })]
    [InlineData("src 10.0.0.2", new[] { 445 })]
    [InlineData("dst 192.168.0.0/16", new[] { 3478 })]
    [InlineData("src port 50000", new[] { 5061 })]
    [InlineData("dst port 50000", new int[0])]
    [InlineData("src net 10.0.0.0/8 and (dst port 445 or dst port 139)", new[] { 445 })]
    [InlineData("state established", new[] { 5061 })]
    [InlineData("tcp and state unanswered", new[] { 445 })]
    [InlineData("state established or udp", new[] { 53, 3478, 5061 })]
    [InlineData("app none and port 53", new[] { 53 })]
    [InlineData("app dns", new int[0])]
    public void ExpressionsSelectFlows(string expression, int[] serverPorts) => Assert.Equal(serverPorts, ServerPorts(expression));

    [SharedDataFact("captures/KakaoTalk_chat.pcap")]
    public void ServerNameSelectsFlowsByTheNameTheyGave()
    {
        int Selected(string expression)
        {
            var collected = new Collector();
            new TrafficRun(new FlowTableOptions { Selection = FlowFilter.Create(expression, null, null) }, collected)
                .Read(CaptureFileSource.Of([SharedData.Path("captures/KakaoTalk_chat.pcap")!]));
            return collected.Flows.Count;
        }

        // The phone's TLS names api., graph. and developers.facebook.com; two HTTP requests name www.facebook.com; six TLS
        // flows name nothing.
        Assert.Equal(
            [5, 3, 3, 0, 6],
            new[] { "servername *.facebook.com", "servername graph.facebook.com,www.facebook.com", "servername *.facebook.com and app tls",
                "servername facebook.com", "app tls and port 443 and not servername *.facebook.com" }.Select(Selected));
    }

    [Fact]
    public void TheWindowTakesFlowsByStartInIsoOrEpochSeconds()
    {
        // The builder's times are seconds after 1700000000 (2023-11-14T22:13:20Z).
        Assert.Equal([53, 445, 3478], ServerPorts(null, since: "1700000005"));
        Assert.Equal([3478, 5061], ServerPorts(null, until: "2023-11-14T22:13:40Z"));
        Assert.Equal([3478], ServerPorts(null, since: "2023-11-14T23:13:25+01:00", until: "1700000015.5"));
    }

    [Theory]
    [InlineData("port", "column 5: expected a value after 'port', not the end")]
    [InlineData("port 70000", "column 6: port 70000: bad port 70000: outside 1-65535")]
    [InlineData("hots 10.0.0.1", "column 1: unknown term 'hots' (expected host, net, port, portrange, transport, app, servername, state, verdict, rule, role, zone): did you mean host?")]
    [InlineData("port 53 or prot 5061", "column 12: unknown term 'prot' (expected host, net, port, portrange, transport, app, servername, state, verdict, rule, role, zone): did you mean port?")]
    [InlineData("verdict allowed", "column 9: verdict allowed: expected expected, expected-dynamic-rpc, protocol-mismatch, unexpected, unmapped, ignored")]
    [InlineData("host 10.0.0.1 port 53", "column 15: expected 'and' or 'or' before 'port'")]
    [InlineData("net 10.0.0.1/8", "column 5: net 10.0.0.1/8: ")]
    [InlineData("transport tcpp", "column 11: transport tcpp: expected tcp, udp, icmp, icmpv6, another protocol name or a number: did you mean tcp?")]
    [InlineData("(port 53 or port 5061", "column 22: expected ')' for the '(' at column 1, not the end")]
    [InlineData("port 53)", "column 8: ')' without its '('")]
    [InlineData("port 53 & port 54", "column 9: '&' alone: write '&&' or 'and'")]
    [InlineData("src app tls", "column 1: 'src' does not apply to app: only to host, net, port, portrange, role, zone")]
    [InlineData("app tsl", "column 5: app tsl: no inspector names it")]
    [InlineData("state establshed", "did you mean established?")]
    [InlineData("servername *.*.example", "column 12: servername *.*.example: a '*' stands only first")]
    [InlineData("port 53 and", "column 12: expected a term (host, net, port, portrange, transport, app, servername, state, verdict, rule, role, zone), not the end")]
    public void AMalformedExpressionSaysWhereAndWhatIsWrong(string expression, string message) =>
        Assert.Contains(message, Assert.Throws<FilterSyntaxException>(() => FlowFilter.Create(expression, null, null)).Message);

    [Fact]
    public void NestingPastTheLimitIsRefusedAtItsColumnNotAStackOverflow()
    {
        // 60,000 parentheses, which fit one command-line argument, overflowed the stack and ended the process (SIGSEGV).
        string parentheses = new string('(', 100_000) + "port 53" + new string(')', 100_000);
        Assert.Equal($"column {FilterParser.MaxDepth + 1}: '(' is nested deeper than {FilterParser.MaxDepth} levels of parentheses and 'not'",
            Assert.Throws<FilterSyntaxException>(() => FlowFilter.Create(parentheses, null, null)).Message);
        string nots = string.Concat(Enumerable.Repeat("not ", 100_000)) + "port 53";
        Assert.StartsWith($"column {4 * FilterParser.MaxDepth + 1}: 'not' is nested deeper",
            Assert.Throws<FilterSyntaxException>(() => FlowFilter.Create(nots, null, null)).Message);
    }

    [Fact]
    public void ChainsOfHundredsOfThousandsOfTermsSelectWithoutDeepRecursion()
    {
        // A response file (@FILE) holds a filter of any length: with a node per operator, 300,000 terms overflowed the
        // stack when the first flow was evaluated. Ports 1000 to 30999 take in 3478 and 5061, not 53, 445 or the clients'.
        var ports = Enumerable.Range(0, 300_000).Select(i => i % 30_000 + 1000).ToList();
        Assert.Equal([53, 3478, 5061], ServerPorts(string.Join(" or ", ports.Select(p => $"port {p}")) + " or port 53"));
        Assert.Equal([53, 445], ServerPorts(string.Join(" and ", ports.Select(p => $"not port {p}"))));
    }

    [Fact]
    public void NestingUpToTheLimitSelectsAsTheBareTermDoes()
    {
        int depth = FilterParser.MaxDepth;
        Assert.Equal([53], ServerPorts(new string('(', depth) + "port 53" + new string(')', depth)));
        // An even number of 'not's, the limit's worth: the term itself.
        Assert.Equal([53], ServerPorts(string.Concat(Enumerable.Repeat("not ", depth)) + "port 53"));
        Assert.Equal([445, 3478, 5061], ServerPorts("(" + string.Concat(Enumerable.Repeat("not ", depth - 1)) + "port 53)"));
    }

    [Fact]
    public void AppTermsWaitForTheFlowsEndAndAddressTermsDoNot()
    {
        // While a flow is read its application is not known yet: "app tls" cannot drop it then, "port 53" can.
        var flow = Flow.FromRecord(1, new FlowRecord
        {
            Protocol = 6, Client = Common.IpAddr.Parse("10.0.0.1"), ClientPort = 40000, Server = Common.IpAddr.Parse("10.0.0.2"), ServerPort = 443,
            State = FlowState.Established,
        });
        var app = FlowFilter.Create("app tls", null, null)!;
        Assert.True(app.Selects(flow, ended: false));
        Assert.False(app.Selects(flow, ended: true));
        Assert.False(FlowFilter.Create("port 53 and app tls", null, null)!.Selects(flow, ended: false));
        Assert.True(FlowFilter.Create("port 53 or app tls", null, null)!.Selects(flow, ended: false));
    }

    [Fact]
    public void AuditTermsAreLeftToTheAuditAndSelectJudgedFlows()
    {
        var filter = FlowFilter.Create("port 22 and not verdict expected,ignored", null, null)!;

        Assert.True(filter.AsksTheAudit);
        Assert.True(FlowFilter.Create("role edge-server", null, null)!.AsksTheAudit);
        Assert.Equal(["edge-server", "front-end"], FlowFilter.Create("src role edge-server or dst role front-end,edge-server", null, null)!.Roles);
        Assert.False(FlowFilter.Create("port 22 or app tls", null, null)!.AsksTheAudit);
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
