using System.Text.Json;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Cli;

[Trait(Tier.Name, Tier.Cli)]
public sealed class FlowsCommandTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-cli");

    private static readonly byte[] Capture = ScratchDirectory.TwoFlows;

    private string Write(string name, byte[] bytes) => _dir.Write(name, bytes);

    [Fact]
    public void JsonLinesHaveTheDocumentedFieldsAndMicrosecondTimes()
    {
        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\"");
        Assert.Equal(0, result.ExitCode);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var tcp = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(new[] { "id", "start", "end", "duration", "transport", "client", "clientPort", "server", "serverPort", "communityId",
            "packetsToServer", "bytesToServer", "packetsToClient", "bytesToClient", "state", "app", "appDetail", "rpcInterface",
            "rpcInterfaceUuid", "rpcSource", "evidence", "recordId", "icmpType", "icmpCode", "icmpErrors", "icmpError", "tunnel", "cutOff" },
            tcp.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("2023-11-14T22:13:20.000001Z", tcp.GetProperty("start").GetString());
        Assert.Equal("established", tcp.GetProperty("state").GetString());
        Assert.Equal(5061, tcp.GetProperty("serverPort").GetInt32());
        Assert.Equal(CommunityIdOf(IpProtocol.Tcp, "10.0.0.1", 50000, "10.0.0.2", 5061), tcp.GetProperty("communityId").GetString());
        // Ids are the ordinals of the packets that opened the flows: the first flow has two packets.
        Assert.Equal([1L, 3L], lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64()));
    }

    [Fact]
    public void CsvHasAHeaderAndOneRowPerFlow()
    {
        var output = Path.Combine(_dir.FullName, "out.csv");
        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --format csv --output \"{output}\"");
        Assert.Equal(0, result.ExitCode);
        var lines = File.ReadAllLines(output);
        Assert.StartsWith("id,start,end,duration,transport,client,clientPort,server,serverPort,communityId,packetsToServer,", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("3,", lines[2]);
        Assert.Contains($",udp,10.0.0.3,40000,10.0.0.4,3478,{CommunityIdOf(IpProtocol.Udp, "10.0.0.3", 40000, "10.0.0.4", 3478)},1,32,0,0,unanswered,",
            lines[2]);
    }

    [Fact]
    public void OutputReplacesThePreviousFileWholeAndRemovesALeftoverTemporary()
    {
        string output = Write("out.csv", "previous\n"u8.ToArray());
        string leftover = Write(".out.csv.999999999.partial", "killed run"u8.ToArray());
        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --format csv --output \"{output}\"");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("id,start,", File.ReadAllText(output));
        Assert.False(File.Exists(leftover));
        Assert.Equal(["a.pcap", "out.csv"], Directory.GetFiles(_dir.FullName).Select(Path.GetFileName).Order());
        var devNull = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --format csv --output /dev/null");
        Assert.Equal(0, devNull.ExitCode);
        Assert.True(File.Exists("/dev/null"));
    }

    [Fact]
    public void AFullDiskExitsTwoWithOneLineNotAStackTrace()
    {
        if (!File.Exists("/dev/full")) return;

        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --output /dev/full");

        Assert.Equal(2, result.ExitCode);
        // The file named first, as for every output, and once: .NET's message ends with " : '/dev/full'" (IoFailure).
        Assert.Equal("portaudit: /dev/full: cannot write: No space left on device", result.StandardError.Trim());
        Assert.DoesNotContain('\n', result.StandardError.Trim());
    }

    [Fact]
    public void StandardInputIsReadWithDash()
    {
        var result = CliProcess.Run("flows - --format table", Capture);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("id  start", result.StandardOutput);
        Assert.Contains("10.0.0.1:50000", result.StandardOutput);
        Assert.Contains("10.0.0.3:40000", result.StandardOutput);
    }

    [Fact]
    public void TruncatedCaptureWritesFlowsReadBeforeThenExitsTwoNamingTheOffset()
    {
        var cut = Capture[..^10];
        var result = CliProcess.Run($"flows \"{Write("cut.pcap", cut)}\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"portaudit: .*cut\.pcap: byte \d+: truncated record: \d+ bytes declared, \d+ present", result.StandardError);
    }

    [Fact]
    public void MissingFileExitsTwoWithOneLine()
    {
        var result = CliProcess.Run("flows does-not-exist.pcap");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("portaudit: does-not-exist.pcap: cannot open: no such file", result.StandardError.Trim());
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public void UnknownFormatExitsTwo()
    {
        var result = CliProcess.Run($"flows \"{Write("notes.txt", "hello world, not a capture"u8.ToArray())}\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown format", result.StandardError);
    }

    [Fact]
    public void UnsupportedLinkTypeIsNamedInAWarning()
    {
        var file = new PcapBuilder(linkType: 147).Add(new byte[60]).Add(new byte[60]).Build();
        var result = CliProcess.Run($"flows \"{Write("odd.pcap", file)}\"");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("link type 147: 2 packets skipped", result.StandardError);
    }

    // With one core to run on, a capture file is read, decoded and tabled on one thread in turn instead of two: the same
    // flows, byte for byte, as the default run on every core (two shards here).
    [NeedsProgramFact("taskset", package: "util-linux")]
    public void OnOneCoreTheFlowsAreThoseOfEveryCore()
    {
        string capture = SharedData.InRepository("captures/windows-lab.pcapng");

        var oneCore = CliProcess.Run($"flows \"{capture}\" -q", under: "taskset -c 0");
        var everyCore = CliProcess.Run($"flows \"{capture}\" -q --workers 2");

        Assert.Equal(0, oneCore.ExitCode);
        Assert.Equal(0, everyCore.ExitCode);
        Assert.True(oneCore.StandardOutput.Split('\n').Length > 100, "the lab capture has more than a hundred flows");
        Assert.Equal(everyCore.StandardOutput, oneCore.StandardOutput);
    }

    [Fact]
    public void BadOptionValueExitsTwo()
    {
        var result = CliProcess.Run("flows x.pcap --format xml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("xml", result.StandardError);
    }

    private static string CommunityIdOf(byte protocol, string client, ushort clientPort, string server, ushort serverPort) =>
        CommunityId.Of(new Flow(0, protocol, IpAddr.Parse(client), clientPort, IpAddr.Parse(server), serverPort, 0, opened: true));

    public void Dispose() => _dir.Dispose();
}
