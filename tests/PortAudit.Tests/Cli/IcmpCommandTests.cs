using System.Text.Json;
using PortAudit.Tests.Audit;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Catalog;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Cli;

/// <summary>
/// ICMP type and code through the process: in the flow records of every format, and in site rules whose <c>icmp</c>
/// list tells a ping the rule allows from an unreachable it does not, in the audit and in the emitted firewall rules.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class IcmpCommandTests : IDisposable
{
    private const string Inventory = """
        hosts:
          - name: ws
            addresses: [10.0.0.1]
            roles: [client]
          - name: ws2
            addresses: [10.0.0.3]
            roles: [client]
          - name: srv
            addresses: [10.0.0.2]
            roles: [server]
        """;

    private const string SiteRules = """
        rules:
          - id: site-ping
            from: client
            to: server
            transport: icmp
            icmp: [echo-request]
            notes: monitoring pings the servers
        """;

    private readonly TempCatalog _catalog = new(AuditCommandTests.Rules);

    public void Dispose() => _catalog.Dispose();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_catalog.Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string OutDir => Path.Combine(_catalog.Root, "out");

    /// <summary>
    /// ws pings srv and is answered; ws2 sends srv a port unreachable about a datagram the capture never showed (so it
    /// is a flow of its own); ws opens TCP 135 on srv, a flow without ICMP.
    /// </summary>
    private string Capture()
    {
        var builder = new PcapBuilder();
        builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 1, IcmpError(8, 0, [1, 2, 3, 4]))), 1);
        builder.Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 1, IcmpError(0, 0, [1, 2, 3, 4]))), 1.1);
        builder.Add(Ethernet(Ipv4("10.0.0.3", "10.0.0.2", 1, Unreachable(false, 3, Ipv4("10.0.0.2", "10.0.0.3", 17, Udp(53, 40000))))), 2);
        builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50001, 135, Syn))), 3);
        builder.Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(135, 50001, Syn | Ack))), 3.1);
        var path = Path.Combine(_catalog.Root, "icmp.pcap");
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    private static JsonElement[] Records(string jsonLines) =>
        jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToArray();

    private static (int?, int?) TypeAndCode(JsonElement flow) => (Number(flow.GetProperty("icmpType")), Number(flow.GetProperty("icmpCode")));

    private static int? Number(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt32();

    [Fact]
    public void JsonLinesCarryTheTypeAndCodeOfIcmpFlowsOnly()
    {
        var result = CliProcess.Run($"flows \"{Capture()}\"");

        Assert.True(result.ExitCode == 0, result.StandardError);
        var flows = Records(result.StandardOutput);
        Assert.Equal([("icmp", (8, 0)), ("icmp", (3, 3)), ("tcp", (null, null))],
            flows.Select(f => (f.GetProperty("transport").GetString(), TypeAndCode(f))).Select(x => (x.Item1, ((int?, int?))x.Item2)));
        // The echo is one flow, request and reply: the reply does not make a flow of type 0.
        Assert.Equal(1, flows[0].GetProperty("packetsToClient").GetInt32());
    }

    [Fact]
    public void TsvTypesTheColumnsAsCountsAndTheTableNamesTheMessage()
    {
        var tsv = CliProcess.Run($"flows \"{Capture()}\" --format tsv");

        Assert.True(tsv.ExitCode == 0, tsv.StandardError);
        var lines = tsv.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fields = lines.Single(l => l.StartsWith("#fields\t", StringComparison.Ordinal)).Split('\t')[1..];
        var types = lines.Single(l => l.StartsWith("#types\t", StringComparison.Ordinal)).Split('\t')[1..];
        int type = Array.IndexOf(fields, "icmpType"), code = Array.IndexOf(fields, "icmpCode");
        Assert.Equal(("count", "count"), (types[type], types[code]));
        var rows = lines.Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToArray();
        Assert.Equal([("8", "0"), ("3", "3"), ("-", "-")], rows.Select(r => (r[type], r[code])));

        var table = CliProcess.Run($"flows \"{Capture()}\" --format table");
        Assert.True(table.ExitCode == 0, table.StandardError);
        Assert.Contains("echo-request (8/0)", table.StandardOutput);
        Assert.Contains("port-unreachable (3/3)", table.StandardOutput);
    }

    [Fact]
    public void IpfixExportCarriesTypeAndCodeThatReadBackAsTheSameFlows()
    {
        using var collector = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        int port = ((System.Net.IPEndPoint)collector.Client.LocalEndPoint!).Port;

        var run = CliProcess.Run($"flows \"{Capture()}\" --export-ipfix 127.0.0.1:{port} --output /dev/null");

        Assert.True(run.ExitCode == 0, run.StandardError);
        // The messages as a collector saves them, one after another in a file, read back by the flows command.
        string saved = Path.Combine(_catalog.Root, "export.ipfix");
        using (var file = File.Create(saved))
            while (collector.Available > 0)
            {
                System.Net.IPEndPoint? from = null;
                file.Write(collector.Receive(ref from));
            }
        var readBack = CliProcess.Run($"flows \"{saved}\"");
        Assert.True(readBack.ExitCode == 0, readBack.StandardError);
        Assert.Equal([(8, 0), (3, 3), (null, null)],
            Records(readBack.StandardOutput).OrderBy(f => f.GetProperty("start").GetString(), StringComparer.Ordinal).Select(TypeAndCode).Select(t => ((int?, int?))t));
    }

    [Fact]
    public void ASiteRuleForEchoRequestsAllowsThePingAndNotTheUnreachable()
    {
        var result = CliProcess.Run($"audit \"{Capture()}\" --inventory \"{Write("inventory.yaml", Inventory)}\" --catalog \"{_catalog.Dir}\" " +
                                    $"--out \"{OutDir}\" --local-rules \"{Write("local.yaml", SiteRules)}\"");

        Assert.True(result.ExitCode is 0 or 1, result.StandardError);
        var flows = Records(File.ReadAllText(Path.Combine(OutDir, "flows.jsonl")));
        var ping = flows.Single(f => Number(f.GetProperty("icmpType")) == 8);
        var unreachable = flows.Single(f => Number(f.GetProperty("icmpType")) == 3);
        Assert.Equal(("expected", "site-ping"), (ping.GetProperty("verdict").GetString(), ping.GetProperty("rule").GetString()));
        Assert.Equal("unexpected", unreachable.GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, unreachable.GetProperty("rule").ValueKind);
        // The finding names the message where a port would be.
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json"))))
        {
            var finding = report.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("transport").GetString() == "icmp");
            Assert.Equal(("unexpected", "port-unreachable"), (finding.GetProperty("kind").GetString(), finding.GetProperty("ports").GetString()));
        }

        // Without the icmp list, the same rule allows any ICMP between the roles: the unreachable too.
        var any = CliProcess.Run($"audit \"{Capture()}\" --inventory \"{Write("inventory.yaml", Inventory)}\" --catalog \"{_catalog.Dir}\" " +
                                 $"--out \"{OutDir}\" --local-rules \"{Write("any.yaml", SiteRules.Replace("    icmp: [echo-request]\n", ""))}\"");
        Assert.True(any.ExitCode is 0 or 1, any.StandardError);
        Assert.All(Records(File.ReadAllText(Path.Combine(OutDir, "flows.jsonl"))).Where(f => f.GetProperty("transport").GetString() == "icmp"),
            f => Assert.Equal("site-ping", f.GetProperty("rule").GetString()));
    }

    [Fact]
    public void AMisspeltMessageIsRefusedNamingTheFileLineAndTheNameMeant()
    {
        string local = Write("local.yaml", SiteRules.Replace("echo-request", "echo-requets"));

        var result = CliProcess.Run($"audit \"{Capture()}\" --inventory \"{Write("inventory.yaml", Inventory)}\" --catalog \"{_catalog.Dir}\" " +
                                    $"--out \"{OutDir}\" --local-rules \"{local}\"");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{local}:6:12: unknown icmp message 'echo-requets': did you mean echo-request?", result.StandardError);
    }

    [Fact]
    public void PolicyEmitMatchesTheMessageInNftablesAndIptables()
    {
        string local = Write("local.yaml", SiteRules), inventory = Write("inventory.yaml", Inventory);

        var nft = CliProcess.Run($"policy emit --inventory \"{inventory}\" --catalog \"{_catalog.Dir}\" --local-rules \"{local}\" --format nft");
        var iptables = CliProcess.Run($"policy emit --inventory \"{inventory}\" --catalog \"{_catalog.Dir}\" --local-rules \"{local}\" --format iptables");

        // One rule per client (ws, ws2), each matching the echo request only.
        Assert.True(nft.ExitCode == 0, nft.StandardError);
        var nftRules = nft.StandardOutput.Split('\n').Where(l => l.Contains("site-ping", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, nftRules.Length);
        Assert.Contains(nftRules, l => l.Contains("ip saddr 10.0.0.1 ip daddr 10.0.0.2 icmp type echo-request accept", StringComparison.Ordinal));
        Assert.All(nftRules, l => Assert.Contains(" icmp type echo-request accept", l));
        Assert.True(iptables.ExitCode == 0, iptables.StandardError);
        var iptablesRules = iptables.StandardOutput.Split('\n').Where(l => l.StartsWith("-A portaudit", StringComparison.Ordinal) && l.Contains("site-ping")).ToArray();
        Assert.Equal(2, iptablesRules.Length);
        Assert.All(iptablesRules, l => Assert.Contains(" -p icmp --icmp-type echo-request -m comment", l));
    }
}
