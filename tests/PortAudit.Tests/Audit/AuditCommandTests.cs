using System.Text.Json;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Catalog;
using PortAudit.Tests.Cli;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>The audit command run as a process, with a catalog, an inventory and captures written for each test.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class AuditCommandTests : IDisposable
{
    private const string Rules = """
        product: demo
        sourceFile: doc.txt
        rules:
          - id: demo-epm
            from: client
            to: server
            transport: tcp
            ports: 135
            protocol: epm
            every: 0.01s
            source:
              section: Ports
              row: "135 TCP RPC"
        """;

    private const string Inventory = """
        hosts:
          - name: ws
            addresses: [10.0.0.1]
            roles: [client]
          - name: srv
            addresses: [10.0.0.2]
            roles: [server]
        """;

    private readonly TempCatalog _catalog = new(Rules);

    public void Dispose() => _catalog.Dispose();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_catalog.Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Capture(params ushort[] ports)
    {
        var builder = new PcapBuilder();
        ushort clientPort = 50000;
        foreach (var port in ports)
        {
            clientPort++;
            builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(clientPort, port, Syn))), 1);
            builder.Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(port, clientPort, Syn | Ack))), 1.1);
        }
        var path = Path.Combine(_catalog.Root, "capture.pcap");
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    private string OutDir => Path.Combine(_catalog.Root, "out");

    private ExternalProgram.Result Audit(string capture, string extra = "", string? inventory = null) =>
        CliProcess.Run($"audit \"{capture}\" --inventory \"{inventory ?? Write("inventory.yaml", Inventory)}\" " +
                       $"--catalog \"{_catalog.Dir}\" --out \"{OutDir}\" {extra}");

    [Fact]
    public void CleanAuditExitsZeroAndWritesTheThreeReports()
    {
        var result = Audit(Capture(135));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("audit: 1 flows: 1 expected", result.StandardOutput);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.Equal(["summary", "capture", "findings", "coverage", "rolePairs"], report.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, report.RootElement.GetProperty("summary").GetProperty("verdicts").GetProperty("expected").GetInt32());
        var coverage = Assert.Single(report.RootElement.GetProperty("coverage").EnumerateArray().ToList());
        Assert.Equal(("demo-epm", "ws", "srv", "seen"), (coverage.GetProperty("rule").GetString(), coverage.GetProperty("fromHost").GetString(),
            coverage.GetProperty("toHost").GetString(), coverage.GetProperty("status").GetString()));

        var flow = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl")))).RootElement;
        Assert.Equal("expected", flow.GetProperty("verdict").GetString());
        Assert.Equal("demo-epm", flow.GetProperty("rule").GetString());
        Assert.Equal(("ws", "srv"), (flow.GetProperty("clientHost").GetString(), flow.GetProperty("serverHost").GetString()));
        Assert.Equal(["server"], flow.GetProperty("serverRoles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("established", flow.GetProperty("state").GetString());
        Assert.StartsWith("# PortAudit report: capture.pcap", File.ReadAllText(Path.Combine(OutDir, "report.md")));
    }

    [Fact]
    public void UnexpectedFlowExitsOneUnlessFailOnLeavesItOut()
    {
        string capture = Capture(135, 22);

        var failing = Audit(capture);
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("1 unexpected", failing.StandardOutput);
        Assert.Contains("| medium | unexpected | ws (client) | srv (server) | 22/tcp |", File.ReadAllText(Path.Combine(OutDir, "report.md")));

        Assert.Equal(0, Audit(capture, "--fail-on missing,blocked").ExitCode);
    }

    [Fact]
    public void FindingsNameTheirFlowsByTheIdsOfFlowsJsonl()
    {
        Audit(Capture(135, 22, 22));

        var flows = File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(flow => flow.GetProperty("id").GetInt64());
        Assert.Equal([1L, 2L, 3L], flows.Keys.Order());
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        var finding = Assert.Single(report.RootElement.GetProperty("findings").EnumerateArray().ToList());
        var evidence = finding.GetProperty("evidence");
        var ids = evidence.GetProperty("flowIds").EnumerateArray().Select(id => id.GetInt64()).ToList();
        Assert.Equal([2L, 3L], ids);
        Assert.Equal(ids.Count, evidence.GetProperty("flows").GetInt32());
        Assert.All(ids, id => Assert.Equal("unexpected", flows[id].GetProperty("verdict").GetString()));
        foreach (var sample in evidence.GetProperty("samples").EnumerateArray())
        {
            var flow = flows[sample.GetProperty("id").GetInt64()];
            Assert.Equal(flow.GetProperty("communityId").GetString(), sample.GetProperty("communityId").GetString());
            Assert.Equal(flow.GetProperty("clientPort").GetInt32(), sample.GetProperty("clientPort").GetInt32());
        }
    }

    [Fact]
    public void MissingRequiredRuleExitsOne()
    {
        var result = Audit(Capture(22), "--fail-on missing --min-span 0s");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1 missing", result.StandardOutput);
    }

    [Fact]
    public void QuietPrintsNothing()
    {
        var result = Audit(Capture(135), "--quiet");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        Assert.True(File.Exists(Path.Combine(OutDir, "report.json")));
    }

    [Fact]
    public void InvalidInventoryExitsTwoNamingTheSpot()
    {
        var inventory = Write("bad.yaml", Inventory.Replace("roles: [server]", "roles: [sever]"));

        var result = Audit(Capture(135), inventory: inventory);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"portaudit: invalid inventory: {inventory}:7:13: unknown role 'sever' (roles are defined in the catalog's roles.yaml)",
            result.StandardError.Trim());
        Assert.False(Directory.Exists(OutDir));
    }

    [Fact]
    public void UnknownFailOnKindExitsTwo()
    {
        var result = Audit(Capture(135), "--fail-on unexpected,sloppy");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--fail-on: unknown kind 'sloppy'", result.StandardError);
    }

    [Fact]
    public void MissingInventoryOptionExitsTwo()
    {
        var result = CliProcess.Run($"audit \"{Capture(135)}\" --catalog \"{_catalog.Dir}\"");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--inventory", result.StandardError);
    }
}
