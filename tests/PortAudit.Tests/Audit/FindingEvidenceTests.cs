using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Audit.AuditFixture;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Where a finding is: the input and frame numbers of its first flows' first packets, a tshark display filter, and the
/// provenance that heads report.json (version, inputs and their digests, inventory and catalog digests, options, span).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FindingEvidenceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Frame 1 is not IP (tshark numbers it all the same); SYNs to port 22 at frames 2, 3 and 5 open three flows.</summary>
    private string FirstCapture()
    {
        var builder = new PcapBuilder();
        builder.Add(Concat(new byte[12], [0x08, 0x06], new byte[28]), 1.0);
        builder.Add(Ethernet(Ip(Ws, Dc, 6, Tcp(50000, 22, Syn))), 1.1);
        builder.Add(Ethernet(Ip(Ws2, Dc, 6, Tcp(50001, 22, Syn))), 1.2);
        builder.Add(Ethernet(Ip(Dc, Ws, 6, Tcp(22, 50000, Syn | Ack))), 1.3);
        builder.Add(Ethernet(Ip(Outsider, Dc, 6, Tcp(50002, 22, Syn))), 1.4);
        return Write("first.pcap", builder.Build());
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private (AuditOutcome Outcome, JsonElement Json) RunAudit(params string[] captures)
    {
        string inventory = Write("inventory.yaml", Encoding.UTF8.GetBytes(InventoryYaml));
        var settings = new AuditSettings
        {
            OutputDirectory = _temp.File("out"),
            InventoryName = inventory,
            CatalogName = SharedData.InRepository("rules"),
        };
        using var run = new AuditRun(AuditContext.Create(AuditFixture.Catalog, LoadInventory()), settings, new FlowTableOptions { MaxFlows = 1000 });
        var outcome = run.Run(CaptureFileSource.Of(captures));
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(settings.OutputDirectory, "report.json")));
        return (outcome, json.RootElement.Clone());
    }

    [Fact]
    public void FlowsKnowTheInputAndFrameOfTheirFirstPacket()
    {
        var second = new PcapBuilder().Add(Ethernet(Ip(Ws, Sip, 6, Tcp(50003, 5060, Syn))), 2.0);
        string secondPath = Write("second.pcap", second.Build());
        var collector = new FlowCollector();
        new TrafficRun(new FlowTableOptions(), collector).Read(CaptureFileSource.Of([FirstCapture(), secondPath]));

        Assert.Equal([(1, 2L, Ws), (1, 3L, Ws2), (1, 5L, Outsider), (2, 1L, Ws)],
            collector.Flows.OrderBy(f => f.Input).ThenBy(f => f.FirstFrame).Select(f => (f.Input, f.FirstFrame, f.Client.ToString())));
    }

    [Fact]
    public void ReportJsonGivesEachFindingItsIdFramesAndFilter()
    {
        var (_, json) = RunAudit(FirstCapture());

        var findings = json.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("kind").GetString() != "missing").ToList();
        var unexpected = Assert.Single(findings, f => f.GetProperty("clientHost").GetString() == "clients");
        Assert.Equal(FindingIdentity.Of(FindingKind.Unexpected, "clients", "dc01", "tcp", "22", null), unexpected.GetProperty("id").GetString());
        Assert.Equal("ip.addr==10.0.8.0/22 && tcp.port==22 && ip.addr==10.0.1.10", unexpected.GetProperty("tsharkFilter").GetString());
        var frames = unexpected.GetProperty("evidence").GetProperty("frames").EnumerateArray()
            .Select(f => (f.GetProperty("input").GetString(), f.GetProperty("frame").GetInt64())).ToList();
        string capture = _temp.File("first.pcap");
        Assert.Equal([(capture, 2L), (capture, 3L)], frames);
        var outsider = Assert.Single(findings, f => f.GetProperty("clientHost").GetString() == "(unmapped@external)");
        // The unnamed client is a zone: the filter holds the server and the port, the address is counted inside.
        Assert.Equal("tcp.port==22 && ip.addr==10.0.1.10", outsider.GetProperty("tsharkFilter").GetString());
        var addresses = outsider.GetProperty("evidence").GetProperty("clientAddresses");
        Assert.Equal(Outsider, addresses.GetProperty("top")[0].GetProperty("address").GetString());
        Assert.Equal(0, addresses.GetProperty("otherFlows").GetInt64());
    }

    [Fact]
    public void A_sample_whose_sides_the_ports_turned_says_so()
    {
        // dc01's UDP 7 sent first (ws01's question came before the capture began): the port below 1024 makes dc01 the
        // server, against the order of the packets, which a finding quoting "ws01 → dc01:7" would otherwise hide. The
        // SSH attempt's sides rest on its SYN.
        var capture = Write("turned.pcap", new PcapBuilder()
            .Add(Ethernet(Ip(Dc, Ws, 17, Udp(7, 50010))), 1.0)
            .Add(Ethernet(Ip(Ws, Dc, 17, Udp(50010, 7))), 1.1)
            .Add(Ethernet(Ip(Ws, Dc, 6, Tcp(50000, 22, Syn))), 1.2).Build());

        var (outcome, json) = RunAudit(capture);

        var samples = json.GetProperty("findings").EnumerateArray().SelectMany(f => f.GetProperty("evidence").GetProperty("samples").EnumerateArray()).ToList();
        var udp = Assert.Single(samples, s => s.GetProperty("transport").GetString() == "udp");
        Assert.Equal((Ws, Dc, 7, "ports", true), (udp.GetProperty("client").GetString(), udp.GetProperty("server").GetString(),
            udp.GetProperty("serverPort").GetInt32(), udp.GetProperty("sides").GetString(), udp.GetProperty("firstFromServer").GetBoolean()));
        var tcp = Assert.Single(samples, s => s.GetProperty("transport").GetString() == "tcp");
        Assert.Equal(("opening", false), (tcp.GetProperty("sides").GetString(), tcp.TryGetProperty("firstFromServer", out _)));
        var turned = outcome.Report.Findings.SelectMany(f => f.Samples).Single(s => s.TurnedByPorts);
        Assert.EndsWith($"{Ws}:50010 → {Dc}:7/udp established (sides from the ports: the first packet came from {Dc})",
            PortAudit.Report.Html.ReportText.Samples([turned]));
    }

    [Fact]
    public void ReportsStartWithProvenance()
    {
        string capture = FirstCapture();
        var (_, json) = RunAudit(capture);

        var provenance = json.EnumerateObject().First();
        Assert.Equal("provenance", provenance.Name);
        var p = provenance.Value;
        // One version everywhere: the provenance names the one --version prints.
        Assert.Equal(System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(
            typeof(PortAudit.Cli.PortAuditCommand).Assembly)!.InformationalVersion, p.GetProperty("version").GetString());
        var input = Assert.Single(p.GetProperty("inputs").EnumerateArray().ToList());
        Assert.Equal((capture, "file", Sha256(File.ReadAllBytes(capture)), new FileInfo(capture).Length),
            (input.GetProperty("name").GetString(), input.GetProperty("kind").GetString(), input.GetProperty("sha256").GetString(),
                input.GetProperty("bytes").GetInt64()));
        Assert.Equal(Sha256(Encoding.UTF8.GetBytes(InventoryYaml)), p.GetProperty("inventory").GetProperty("sha256").GetString());
        var catalog = p.GetProperty("catalog");
        var files = catalog.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains("roles.yaml", files);
        string rules = SharedData.InRepository("rules");
        string listing = string.Concat(files.Select(f => $"{f} {Sha256(File.ReadAllBytes(Path.Combine(rules, f)))}\n"));
        Assert.Equal(Sha256(Encoding.UTF8.GetBytes(listing)), catalog.GetProperty("sha256").GetString());
        Assert.Equal(1000, p.GetProperty("options").GetProperty("maxFlows").GetInt32());
        Assert.Equal(3600, p.GetProperty("options").GetProperty("minimumSpanSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("options").GetProperty("baseline").ValueKind);
        Assert.Equal(["unexpected", "protocol-mismatch", "required-blocked", "missing", "policy-blocks-required", "policy-bypass", "policy-unjustified"],
            p.GetProperty("options").GetProperty("failOn").EnumerateArray().Select(k => k.GetString()));
        var span = p.GetProperty("capture");
        Assert.Equal(("2023-11-14T22:13:21.000000Z", "2023-11-14T22:13:21.400000Z"),
            (span.GetProperty("first").GetString(), span.GetProperty("last").GetString()));
        Assert.Equal(0.4, span.GetProperty("seconds").GetDouble(), 6);
    }

    [Fact]
    public void DigestsOfStandardInputAndNonFilesSayWhatTheyAre()
    {
        string known = Write("abc.txt", "abc"u8.ToArray());

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Digests.OfInput(known).Sha256);
        Assert.Equal(new InputDigest("-", InputKind.StandardInput, null, null), Digests.OfInput("-"));
        Assert.Equal(new InputDigest("live capture on eth0", InputKind.Other, null, null), Digests.OfInput("live capture on eth0"));
    }

    [Fact]
    public void MarkdownReportShowsIdFramesAndFilter()
    {
        RunAudit(FirstCapture());
        string markdown = File.ReadAllText(Path.Combine(_temp.File("out"), "report.md"));
        string html = File.ReadAllText(Path.Combine(_temp.File("out"), "report.html"));
        string id = FindingIdentity.Of(FindingKind.Unexpected, "clients", "dc01", "tcp", "22", null);

        Assert.Contains($"| {id} |", markdown);
        Assert.Contains("first.pcap frames 2, 3; `ip.addr==10.0.8.0/22 && tcp.port==22 && ip.addr==10.0.1.10`", markdown);
        Assert.Contains(id, html);
        Assert.Contains("ip.addr==10.0.8.0/22 &amp;&amp; tcp.port==22 &amp;&amp; ip.addr==10.0.1.10", html);
    }

    [Fact]
    public void A_finding_quotes_its_earliest_flows_in_start_order_whatever_order_they_ended_in()
    {
        // Eight flows given latest first, as a capture's long flows end after short ones that began later.
        var finding = new Finding(FindingKind.Unexpected, "a", "b", [], [], "tcp", "443", null, null);
        for (int n = 8; n >= 1; n--) finding.Add(Began(n, n * 1_000_000_000L, IpProtocol.Tcp), failed: false);
        // A tunnel's own flow and the flow it carries begin in one frame: ordered by transport, whatever their ids.
        var tied = new Finding(FindingKind.Unexpected, "a", "b", [], [], "both", "0", null, null);
        tied.Add(Began(1, 5, IpProtocol.IcmpV6), failed: false);
        tied.Add(Began(2, 5, IpProtocol.Ipv6InIp), failed: false);

        Assert.Equal([1L, 2, 3, 4, 5], finding.Samples.Select(s => s.Id));
        Assert.Equal(finding.Tally.FirstNs, finding.Samples[0].StartNs);
        // Ids join a finding to this run's flows.jsonl: the first judged.
        Assert.Equal([8L, 7, 6, 5, 4, 3, 2, 1], finding.FlowIds);
        Assert.Equal([2L, 1], tied.Samples.Select(s => s.Id));

        static Flow Began(long id, long startNs, byte protocol) => Flow.Restore(id, protocol, IpAddr.FromV4(0x0A00_0001), 40000,
            IpAddr.FromV4(0x0A00_0002), 443, startNs, startNs + 1_000_000, FlowState.Established, new FlowCounters(3, 180, 2, 120), default);
    }

    [Theory]
    [InlineData("2001:db8::1", "ipv6.addr==2001:db8::1 && udp.port==5060")]
    [InlineData("10.0.1.10", "ip.addr==10.0.1.10 && udp.port==5060")]
    public void FiltersNameIpv4AndIpv6AddressesAsTsharkDoes(string address, string expected)
    {
        var finding = new Finding(FindingKind.Unexpected, "a", "b", [], [], "udp", "5060", null, null)
        {
            ClientPrefixes = [IpPrefix.Single(IpAddr.TryParse(address, out var a) ? a : default)],
        };

        Assert.Equal(expected, TsharkFilter.For(finding));
    }

    [Theory]
    [InlineData("ipv6", "0", "ipv6",
        "(ip.proto==41 || ipv6.nxt==41 || ipv6.hopopts.nxt==41 || ipv6.dstopts.nxt==41 || ipv6.routing.nxt==41 || ipv6.fraghdr.nxt==41) && ip.addr==10.0.1.10")]
    [InlineData("ipip", "0", "ipip",
        "(ip.proto==4 || ipv6.nxt==4 || ipv6.hopopts.nxt==4 || ipv6.dstopts.nxt==4 || ipv6.routing.nxt==4 || ipv6.fraghdr.nxt==4) && ip.addr==10.0.1.10")]
    [InlineData("gre", "0", "gre", "gre && ip.addr==10.0.1.10")]
    [InlineData("esp", "", "esp", "esp && ip.addr==10.0.1.10")]
    [InlineData("tcp", "0", "0/tcp", "tcp.port==0 && ip.addr==10.0.1.10")]
    public void A_transport_without_ports_is_named_alone_and_a_tunnels_is_filtered_on_its_ip_protocol(string transport, string ports,
        string service, string filter)
    {
        var finding = new Finding(FindingKind.Unexpected, "a", "b", [], [], transport, ports, null, null)
        {
            ServerPrefixes = [IpPrefix.Single(IpAddr.TryParse(Dc, out var a) ? a : default)],
        };

        Assert.Equal((service, filter), (finding.Service, TsharkFilter.For(finding)));
    }

    [Fact]
    public void AZonePairIsFilteredOnItsEightBusiestPortsWhoseFlowsItsSummaryTellsFromTheRest()
    {
        // The one filter that shows fewer packets than its finding (docs/audit.md, "Display filter"): 993, the ninth port,
        // is left out, and the port summary counts it.
        var auditor = Auditor();
        ushort[] ports = [21, 22, 23, 25, 80, 110, 143, 443, 993];
        for (int i = 0; i < ports.Length; i++)
            for (int n = i; n < ports.Length; n++)
                auditor.Audit(Established(Outsider, "198.51.100.9", ports[i]));

        var finding = Assert.Single(auditor.Complete().Findings);

        Assert.Equal("(tcp.port==21 || tcp.port==22 || tcp.port==23 || tcp.port==25 || tcp.port==80 || tcp.port==110 || tcp.port==143 || tcp.port==443)",
            TsharkFilter.For(finding));
        Assert.Equal((9, 1L), (finding.ServerPorts!.Distinct, finding.ServerPorts.FlowsBeyond(TsharkFilter.MaxZonePorts)));
    }

    [Fact]
    public void MissingFindingsFilterOnBothTransportsAndPortRanges()
    {
        var finding = new Finding(FindingKind.Missing, "*", "dc01", [], [], "both", "135,49152-65535", "rule", null)
        {
            ServerPrefixes = [IpPrefix.Single(IpAddr.TryParse(Dc, out var a) ? a : default)],
        };

        Assert.Equal("(tcp.port in {135, 49152..65535} || udp.port in {135, 49152..65535}) && ip.addr==10.0.1.10", TsharkFilter.For(finding));
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
