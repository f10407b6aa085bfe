using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Records;

namespace PortAudit.Tests.Cli;

/// <summary>
/// The exit code of a read whose flow records were rejected: past the threshold that makes an audit's report incomplete
/// (more than 1% of the records seen, or more than 1,000), exit 2 with a line saying so, the flows read still written;
/// at or under it, exit 0 and the warnings only. A script that trusts exit 0 must not take a log that was mostly
/// refused for its traffic. A collector keeps exit 0: data sets before their template are what UDP export delivers.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class RejectedRecordsCommandTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-rejected");

    public void Dispose() => _dir.Dispose();

    private string ConnLog(int good, int bad) => _dir.Write("conn.log", Encoding.UTF8.GetBytes(ConnLogs.WithRejected(good, bad)));

    [Fact]
    public void FlowsExitTwoPastTheThresholdAndStillWriteTheFlowsRead()
    {
        var result = CliProcess.Run($"flows \"{ConnLog(good: 989, bad: 11)}\" --format csv");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("portaudit: 11 of 1000 flow records rejected, more than 1% or 1000 of them: the flows stand for part of the input",
            result.StandardError);
        // The header and one line per good record.
        Assert.Equal(990, result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void FlowsExitZeroAtTheThresholdWithTheWarningsOnly()
    {
        var result = CliProcess.Run($"flows \"{ConnLog(good: 990, bad: 10)}\" --format csv");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("rejected record:", result.StandardError);
        Assert.DoesNotContain("flows stand for part of the input", result.StandardError);
    }

    [Fact]
    public void AnAuditWhoseReportIsIncompleteForRejectedRecordsExitsTwoWithItsReports()
    {
        string reports = Path.Combine(_dir.FullName, "reports");
        string inventory = SharedData.InRepository("captures/lab.yaml");
        var result = CliProcess.Run($"audit \"{ConnLog(good: 10, bad: 990)}\" --inventory \"{inventory}\" --out \"{reports}\" --fail-on none");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("audit: INCOMPLETE (records rejected): 10 flows", result.StandardOutput);
        Assert.Contains("portaudit: 990 of 1000 flow records rejected", result.StandardError);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(reports, "report.json")));
        Assert.Equal(["records rejected"], json.RootElement.GetProperty("incomplete").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task ACollectorWhoseOnlyDataSetCameBeforeItsTemplateStillExitsZero()
    {
        int port = SoftflowdExport.FreeUdpPort();
        string collected = Path.Combine(_dir.FullName, "collected.jsonl");
        var dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        using var collector = Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" collect --listen 127.0.0.1:{port} --duration 2 --output \"{collected}\"")
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        // Send only once it listens, or the datagram is lost.
        string? ready = collector.StandardError.ReadLine();
        Assert.Contains("collecting on", ready);
        var errors = collector.StandardError.ReadToEndAsync();
        // One data set of template 256, which this collector has not been sent: rejected, and the only record.
        byte[] dataSet = [0x01, 0x00, 0x00, 0x08, 10, 0, 0, 1];
        using (var exporter = new UdpClient()) exporter.Send(IpfixMessages.Message(0, dataSet), new IPEndPoint(IPAddress.Loopback, port));

        Assert.True(collector.WaitForExit(TimeSpan.FromSeconds(60)));
        string said = await errors;
        Assert.True(collector.ExitCode == 0, said);
        Assert.Contains("template 256 of domain 0 not received (yet), or expired", said);
        Assert.DoesNotContain("flows stand for part of the input", said);
    }
}
