using System.Text.Json;
using PortAudit.Catalog;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Catalog;
using PortAudit.Tests.Cli;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// The audit command run as a process: what only the process shows (exit codes, the console, option errors). What the
/// audit concludes is tested in process, through the library, by <see cref="AuditRunTests"/>.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class AuditCommandTests : IDisposable
{
    internal const string Rules = """
        product: demo
        sourceFile: doc.txt
        rules:
          - id: demo-epm
            from: client
            to: server
            transport: tcp
            ports: 135
            protocol: epm
            source:
              section: Ports
              row: "135 TCP RPC"
        """;

    internal const string Inventory = """
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

    private string Capture(params ushort[] ports) => WriteCapture(_catalog.Root, ports);

    /// <summary>Writes DIR/capture.pcap: ws (10.0.0.1) opens an answered TCP connection to srv (10.0.0.2) on each port.</summary>
    internal static string WriteCapture(string directory, params ushort[] ports)
    {
        var builder = new PcapBuilder();
        ushort clientPort = 50000;
        foreach (var port in ports)
        {
            clientPort++;
            builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(clientPort, port, Syn))), 1);
            builder.Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(port, clientPort, Syn | Ack))), 1.1);
        }
        var path = Path.Combine(directory, "capture.pcap");
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    private string OutDir => Path.Combine(_catalog.Root, "out");

    private ExternalProgram.Result Audit(string capture, string extra = "", string? inventory = null) =>
        CliProcess.Run($"audit \"{capture}\" --inventory \"{inventory ?? Write("inventory.yaml", Inventory)}\" " +
                       $"--catalog \"{_catalog.Dir}\" --out \"{OutDir}\" {extra}");

    private const string SiteRules = """
        rules:
          - id: site-ssh-admin
            from: client
            to: server
            transport: tcp
            port: 22
            protocol: ssh
            notes: the admins reach the server over SSH (change 4711)
        """;

    [Fact]
    public void ASiteRuleAllowsWhatTheDocumentsDoNotAndCitesItsFileAndLine()
    {
        string capture = Capture(135, 22), local = Write("local.yaml", SiteRules);

        Assert.Equal(1, Audit(capture).ExitCode);
        var result = Audit(capture, $"--local-rules \"{local}\"");

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var ssh = File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Single(f => f.GetProperty("serverPort").GetInt32() == 22);
        Assert.Equal(("expected", "site-ssh-admin"), (ssh.GetProperty("verdict").GetString(), ssh.GetProperty("rule").GetString()));
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        var coverage = report.RootElement.GetProperty("coverage").EnumerateArray().Single(c => c.GetProperty("rule").GetString() == "site-ssh-admin");
        Assert.Equal($"site rule {local}:2", coverage.GetProperty("siteRule").GetString());
        var named = Assert.Single(report.RootElement.GetProperty("provenance").GetProperty("catalog").GetProperty("localRules").EnumerateArray().ToList());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(local))), named.GetProperty("sha256").GetString());
    }

    [Theory]
    [InlineData("from: client", "from: clinet", ":3:11: unknown role 'clinet' (define it in roles.yaml): did you mean client?")]
    [InlineData("id: site-ssh-admin", "id: demo-epm", ":2:9: duplicate id 'demo-epm'")]
    [InlineData("port: 22", "port: 70000", ":6:11: bad port 70000")]
    public void ABadSiteRuleIsRefusedNamingItsFileAndLine(string good, string bad, string message)
    {
        string local = Write("local.yaml", SiteRules.Replace(good, bad));

        var result = Audit(Capture(22), $"--local-rules \"{local}\"");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(local + message, result.StandardError);
    }

    [Fact]
    public void PolicyEmitIncludesSiteRulesCitingThem()
    {
        string local = Write("local.yaml", SiteRules);
        var result = CliProcess.Run($"policy emit --inventory \"{Write("inventory.yaml", Inventory)}\" --catalog \"{_catalog.Dir}\" --local-rules \"{local}\" --format nft");

        Assert.True(result.ExitCode == 0, result.StandardError);
        var line = Assert.Single(result.StandardOutput.Split('\n'), l => l.Contains("dport 22", StringComparison.Ordinal));
        Assert.Contains("10.0.0.1", line);
        Assert.Contains($"site rule {local}:2", result.StandardOutput);
    }

    [Fact]
    public void FindingsMakeTheExitCodeOneUnlessFailOnLeavesThemOut()
    {
        string capture = Capture(135, 22);

        var failing = Audit(capture);
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("1 unexpected", failing.StandardOutput);
        Assert.Equal(0, Audit(capture, "--fail-on missing,blocked").ExitCode);
        Assert.Equal(0, Audit(Capture(135)).ExitCode);
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
        Assert.Equal($"portaudit: invalid inventory: {inventory}:7:13: unknown role 'sever' (roles are defined in the catalog's roles.yaml): did you mean server?",
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
    public async Task ACaptureFromANamedPipeIsAuditedAndNamedAsAPipe()
    {
        // A shell's process substitution, audit <(zcat capture.pcap.gz), hands the audit a named pipe: it crashed once,
        // asking the pipe for its length to record a digest.
        string capture = Capture(135, 22), fifo = Path.Combine(_catalog.Root, "capture.fifo");
        Fifo.Make(fifo);
        var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(capture)));

        var result = Audit(fifo, "--quiet");
        await writer;

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.StandardError);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        var input = report.RootElement.GetProperty("provenance").GetProperty("inputs")[0];
        Assert.Equal("pipe", input.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, input.GetProperty("sha256").ValueKind);
        Assert.Equal(2, report.RootElement.GetProperty("summary").GetProperty("flows").GetInt32());
    }

    [Fact]
    public void MissingInventoryOptionExitsTwo()
    {
        var result = CliProcess.Run($"audit \"{Capture(135)}\" --catalog \"{_catalog.Dir}\"");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--inventory", result.StandardError);
    }

    [Fact]
    public void ASegmentWithoutAZoneIsNamedOnStderrAndTheAuditStillRuns()
    {
        var inventory = Write("catch-all.yaml", Inventory + "\n" + """
            segments:
              - name: everything
                cidrs: [0.0.0.0/0]
            """);

        var result = Audit(Capture(135), "--quiet", inventory);

        Assert.Contains(result.ExitCode, new[] { 0, 1 });
        Assert.Contains("segment 'everything' (0.0.0.0/0) has no zone", result.StandardError);
        Assert.Empty(result.StandardOutput);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.Equal(1, report.RootElement.GetProperty("summary").GetProperty("flows").GetInt32());
    }
}
