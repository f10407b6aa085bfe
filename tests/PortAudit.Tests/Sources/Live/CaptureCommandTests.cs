using System.Diagnostics;
using System.Text.Json;
using PortAudit.Sources.Files;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Sources.Live;

/// <summary>The CLI as users run it: a separate process, stopped by SIGTERM.</summary>
[Trait(Tier.Name, Tier.Live)]
public class CaptureCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "portaudit.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    private static (int Exit, string Stdout, string Stderr) Finish(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            Assert.Fail("portaudit did not exit within 30 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [LiveFact]
    public void SigtermStopsCleanlyWithFlowsWrittenAndCaptureComplete()
    {
        using var traffic = new LoopbackTraffic();
        string pcapng = _dir.File("lo.pcapng");
        string flows = _dir.File("flows.jsonl");
        var (exit, stderr) = CaptureUntilSigterm(traffic, pcapng, "--output", flows);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Contains("capture stopped (signal)", stderr);
        Assert.Contains("dropped 0,", stderr);
        var records = File.ReadAllLines(flows).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        var udp = Assert.Single(records, r => r.GetProperty("transport").GetString() == "udp");
        Assert.Equal(traffic.UdpClientPort, udp.GetProperty("clientPort").GetInt32());
        Assert.Equal(traffic.UdpServerPort, udp.GetProperty("serverPort").GetInt32());
        Assert.Equal(LoopbackTraffic.Datagrams, udp.GetProperty("packetsToServer").GetInt32());
        var tcp = Assert.Single(records, r => r.GetProperty("transport").GetString() == "tcp");
        Assert.Equal(traffic.TcpServerPort, tcp.GetProperty("serverPort").GetInt32());
        Assert.Equal("established", tcp.GetProperty("state").GetString());

        long expected = records.Sum(r => r.GetProperty("packetsToServer").GetInt64() + r.GetProperty("packetsToClient").GetInt64());
        using var saved = CaptureFile.Open(pcapng);
        long packets = 0;
        while (saved.TryRead(out _)) packets++;
        Assert.Equal(expected, packets);
        if (Programs.Find("capinfos") is null) Console.WriteLine("capinfos not installed: external check of the saved file skipped");
        else Assert.Matches($@"Number of packets:\s+{packets}\b", External.Run("capinfos", "-c", "-M", pcapng));
    }

    [LiveFact]
    public void A_capture_stopped_by_sigterm_leaves_its_flows_in_a_lake() =>
        CaptureIntoStore(_dir.File("lake") + "/", "1 new file");

    [LiveFact]
    public void A_capture_stopped_by_sigterm_leaves_its_flows_in_a_duckdb_file() =>
        CaptureIntoStore(_dir.File("flows.duckdb"), "store: 2 flows, 2 new");

    // The store, not a flow file, is the capture's output: what SIGTERM leaves there is read back by store status.
    private void CaptureIntoStore(string store, string summary)
    {
        using var traffic = new LoopbackTraffic();
        var (exit, stderr) = CaptureUntilSigterm(traffic, _dir.File("store.pcapng"), "--store", store, "--sensor", "probe");
        var status = CliProcess.Run($"store status --store \"{store}\"");

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Contains(summary, stderr);
        Assert.True(status.ExitCode == 0, status.StandardError);
        Assert.Contains("sensor     probe: 2 flows", status.StandardOutput);
    }

    /// <summary>
    /// Captures the loopback <paramref name="traffic"/> into <paramref name="pcapng"/> and what <paramref name="outputs"/>
    /// name, stopped by SIGTERM once sent; returns the exit code and standard error.
    /// </summary>
    private static (int Exit, string Stderr) CaptureUntilSigterm(LoopbackTraffic traffic, string pcapng, params string[] outputs)
    {
        using var process = Start(["capture", "--interface", "lo", "--filter", traffic.Filter, "--write", pcapng, .. outputs]);
        // The capture file appears once the interface is open and filtered: from then on nothing is missed.
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(pcapng) && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
        Assert.True(File.Exists(pcapng), "portaudit did not start capturing within 20 s");
        traffic.Send();
        External.Run("kill", "-TERM", process.Id.ToString());
        var (exit, _, stderr) = Finish(process);
        return (exit, stderr);
    }

    /// <summary>Runs portaudit, expects exit code 2 and nothing on standard output; returns standard error.</summary>
    private static string ExitsWithTwo(string arguments)
    {
        var result = CliProcess.Run(arguments);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Equal("", result.StandardOutput);
        return result.StandardError.Trim();
    }

    [LiveFact]
    public void UnknownInterfaceExitsWithTwoAndOneLine() =>
        Assert.Equal("portaudit: nosuch0: no such interface (see 'portaudit interfaces')",
            ExitsWithTwo("capture --interface nosuch0 --duration 1"));

    [LiveFact]
    public void InvalidFilterExitsWithTwo() =>
        Assert.StartsWith("portaudit: invalid filter 'tcp port http2x': ",
            ExitsWithTwo("capture --interface lo --filter \"tcp port http2x\" --duration 1"));

    [LiveFact]
    public void InterfacesListsLoopbackAsJson()
    {
        var result = CliProcess.Run("interfaces --format json");
        Assert.Equal(0, result.ExitCode);
        var lo = JsonDocument.Parse(result.StandardOutput).RootElement.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "lo");
        Assert.True(lo.GetProperty("loopback").GetBoolean());
        Assert.Contains(lo.GetProperty("addresses").EnumerateArray(), a => a.GetString() == "127.0.0.1/8");
    }

    [Fact]
    public void RotationWithoutWriteIsRefused() =>
        Assert.Contains("--rotate-size and --rotate-seconds need --write",
            ExitsWithTwo("capture --interface lo --rotate-seconds 5"));
}
