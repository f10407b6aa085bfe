using System.Diagnostics;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Policy;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Cli;

/// <summary>
/// SIGTERM ends a command within a second (issue 43): an audit with a 100,000-rule firewall spends seconds judging its
/// flows, analysing the rules and writing reports after the capture is read, and did not stop until it was done; flows
/// writes hundreds of thousands of flows held to the end of input in seconds too. However it ends, the previous outputs
/// stay whole and no temporary is left.
/// </summary>
/// <remarks>
/// The second is wall time on a shared host, where one stall can lengthen any one window: a stop timed at a second or
/// more is tried once more from the start (<see cref="WithinASecond"/>), and a command that does not hear the signal
/// overruns both; so is a second SIGTERM that did not meet the first stop still going. Each attempt has its own directory.
/// </remarks>
[Trait(Tier.Name, Tier.Cli)]
[Collection(TimedAlone.Name)]
public sealed class SignalTests : IDisposable
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private readonly ScratchDirectory _dir = new("portaudit-signal");
    private string? _ruleset;

    public void Dispose() => _dir.Dispose();

    // The output directory of one attempt.
    private string OutDir(int attempt) => Path.Combine(_dir.FullName, $"out-{attempt}");

    // Runs the scenario, which signals a command and returns how long it took to end; when that was a second or more, once
    // again (a stall of the host, or a command that does not stop: then the second attempt overruns too).
    private static async Task WithinASecond(Func<int, Task<TimeSpan>> scenario)
    {
        TimeSpan first = await scenario(1);
        if (first < OneSecond) return;
        TimeSpan second = await scenario(2);
        Assert.True(second < OneSecond, $"ended {first.TotalSeconds:F2} s after the signal, then {second.TotalSeconds:F2} s when tried again");
    }

    // Starts the audit of the lab capture with a 100,000-rule firewall, over a previous report, and returns once it is past
    // reading: in the seconds of judging, analysis and reports.
    private async Task<(Process Process, Task<string> Stderr)> StartBigAudit(string outDir)
    {
        // Generated and written once, whatever the attempts.
        _ruleset ??= _dir.Write("r100k.nft", System.Text.Encoding.UTF8.GetBytes(BigRuleset.Nft(100_000, 43, dense: false)));
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "report.json"), "the previous report\n");
        var start = ExternalProgram.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "portaudit.dll"), "audit", "captures/lab.pcapng",
            "--inventory", "captures/lab.yaml", "--firewall", _ruleset, "--out", outDir, "--quiet"]);
        start.WorkingDirectory = SharedData.InRepository(".");
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // flows.jsonl's temporary appears as the audit opens its outputs, once the ruleset is read; what follows the
        // capture's short read is judging flows against the rules, analysing the rules and writing the reports (seconds).
        var waited = Stopwatch.StartNew();
        while (!Directory.EnumerateFiles(outDir, "*.partial").Any() && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(20);
        await Task.Delay(300);
        Assert.False(process.HasExited, "the audit ended before it could be signalled");
        return (process, stderr);
    }

    // Sends SIGTERM (then runs afterSignal) and asserts the process ended with exit 130; returns its stderr and how long
    // it took to end.
    private static async Task<(string Stderr, TimeSpan Stop)> StopsAt130(Process process, Task<string> stderr, Action? afterSignal = null)
    {
        var stopping = Stopwatch.StartNew();
        Terminate(process);
        afterSignal?.Invoke();
        bool ended = process.WaitForExit(TimeSpan.FromSeconds(30));
        stopping.Stop();
        if (!ended) process.Kill(entireProcessTree: true);
        string error = await stderr;
        Assert.True(ended, $"did not end within 30 s of the signal: {error}");
        Assert.Equal(130, process.ExitCode);
        return (error, stopping.Elapsed);
    }

    private static void Terminate(Process process) => Assert.Equal(0, SendSigterm(process));

    // kill's exit code: not 0 when the process is gone.
    private static int SendSigterm(Process process) =>
        ExternalProgram.Run(ExternalProgram.Start("kill", ["-TERM", process.Id.ToString()]), TimeSpan.FromSeconds(10)).ExitCode;

    private static void AssertThePreviousReportAlone(string outDir)
    {
        Assert.Equal("the previous report\n", File.ReadAllText(Path.Combine(outDir, "report.json")));
        Assert.Equal(["report.json"], Directory.GetFiles(outDir).Select(Path.GetFileName));
    }

    [Fact]
    public Task Sigterm_during_the_policy_analysis_of_a_big_ruleset_ends_the_audit_within_a_second() => WithinASecond(async attempt =>
    {
        string outDir = OutDir(attempt);
        var (process, stderr) = await StartBigAudit(outDir);
        using var _ = process;

        var (error, stop) = await StopsAt130(process, stderr);
        Assert.Contains("interrupted", error);
        AssertThePreviousReportAlone(outDir);
        return stop;
    });

    // Two million flows all still open at the end of input (a SYN each): the table holds every one, and once the input ends
    // they are inspected and written in one go, a second of work on the fastest machine here (a million took 0.4 to 0.7 s
    // there, too close to the grace of half a second: written in time, they left nothing to abandon).
    private static byte[] HeldFlowsCapture(int flows)
    {
        var capture = new PcapBuilder();
        for (int i = 0; i < flows; i++)
            capture.Add(Ethernet(Ipv4($"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", "10.200.0.1", 6, Tcp((ushort)(10000 + i % 50000), 445, Syn))), i / 1000_000.0);
        return capture.Build();
    }

    [Fact]
    public async Task Sigterm_while_flows_writes_the_flows_held_to_the_end_ends_it_within_a_second_leaving_the_previous_file()
    {
        byte[] capture = HeldFlowsCapture(2_000_000);
        await WithinASecond(attempt => FlowsStopsWritingHeldFlows(capture, OutDir(attempt)));
    }

    private static async Task<TimeSpan> FlowsStopsWritingHeldFlows(byte[] capture, string outDir)
    {
        Directory.CreateDirectory(outDir);
        string output = Path.Combine(outDir, "flows.jsonl");
        File.WriteAllText(output, "the previous flows\n");
        var start = ExternalProgram.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "portaudit.dll"), "flows", "-", "-o", output,
            "--max-flows", "4000000", "--quiet"]);
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // Read from a pipe, the input ends when the test says: the end of input's work (sorting, inspecting and writing
        // every held flow) starts then, and the signal comes at its start, with all of it ahead.
        await process.StandardInput.BaseStream.WriteAsync(capture);
        process.StandardInput.Close();
        Assert.False(process.HasExited, "flows ended before it could be signalled");

        var (error, stop) = await StopsAt130(process, stderr);
        Assert.Contains("interrupted before the outputs were complete", error);
        Assert.Equal("the previous flows\n", File.ReadAllText(output));
        Assert.Equal(["flows.jsonl"], Directory.GetFiles(outDir).Select(Path.GetFileName));
        return stop;
    }

    [Theory]
    [InlineData("learn", "--model")]
    [InlineData("suggest-roles", "--draft-inventory")]
    public Task Sigterm_while_a_command_reads_ends_it_within_a_second_writing_nothing(string command, string outputOption) =>
        WithinASecond(attempt => CommandStopsReading(command, outputOption, OutDir(attempt)));

    private static async Task<TimeSpan> CommandStopsReading(string command, string outputOption, string outDir)
    {
        Directory.CreateDirectory(outDir);
        string output = Path.Combine(outDir, "output");
        var start = ExternalProgram.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "portaudit.dll"), command, "-",
            "--inventory", "captures/lab.yaml", outputOption, output, "--quiet"]);
        start.WorkingDirectory = SharedData.InRepository(".");
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // Read from a pipe, the command is mid-read for as long as the test holds the pipe open: the signal comes then,
        // and the end of input right after it (a pipe that stalls is heard through too: the FIFO test below).
        byte[] capture = HeldFlowsCapture(20_000);
        await process.StandardInput.BaseStream.WriteAsync(capture);
        // Signalled once it has read what it was given (its start under the JIT takes a second of its own on a busy machine).
        var waited = Stopwatch.StartNew();
        while (ReadBytes(process) < capture.Length && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(20);
        await Task.Delay(100);
        Assert.False(process.HasExited, $"{command} ended before it could be signalled");

        var (error, stop) = await StopsAt130(process, stderr, afterSignal: process.StandardInput.Close);
        Assert.Contains("interrupted", error);
        // A model or a draft of part of the input is no model or draft of it: nothing is written, no temporary is left.
        Assert.Empty(Directory.GetFiles(outDir));
        return stop;
    }

    [Fact]
    public Task Sigterm_while_a_fifo_stalls_ends_flows_within_a_second_writing_what_was_read() => WithinASecond(async attempt =>
    {
        // The writer stays open and silent after 2,000 flows: a read blocked on the FIFO would hold the signal for ever.
        var (output, error, stop) = await SignalledWhileTheFifoStalls(Built, "flows", HeldFlowsCapture(2_000), OutDir(attempt));
        Assert.Equal(2_000, File.ReadLines(output).Count());
        Assert.Contains("portaudit: interrupted after 2000 packets: the flows read so far were written", error);
        return stop;
    });

    // The published tool, compiled ahead of time: under the JIT the work after the signal is mostly compiling it (the end of
    // input and the JSON writer, 0.3 to 0.45 s of the half-second grace beside a second test suite, against 0.01 to 0.11 s
    // for the published tool there), and beside a busy suite the grace ran out in 3 runs of 6, the output abandoned: that
    // timed the JIT, not the command.
    [PublishedToolFact]
    public Task Sigterm_while_a_fifo_stalls_ends_rpc_within_a_second_writing_the_mappings_read() => WithinASecond(async attempt =>
    {
        // The lab capture holds an endpoint-mapper answer (LSARPC) and the flow that used it.
        byte[] capture = File.ReadAllBytes(SharedData.InRepository("captures/lab.pcapng"));
        var (output, error, stop) = await SignalledWhileTheFifoStalls(Published, "rpc", capture, OutDir(attempt), "--format", "json");
        Assert.Contains("LSARPC", File.ReadAllText(output));
        Assert.Contains($"portaudit: interrupted after {PacketsIn(capture)} packets: the mappings read so far were written", error);
        return stop;
    });

    // The build under the JIT (dotnet and the build's portaudit.dll), or the published executable.
    private static readonly string[] Built = ["dotnet", Path.Combine(AppContext.BaseDirectory, "portaudit.dll")];
    private static readonly string[] Published = [PublishedToolFactAttribute.Executable];

    // Runs command (with options) of tool on a FIFO whose writer sends capture and then stays open and silent, signals it
    // once it has read it all, and returns its output file (-o), its stderr and how long it took to end with exit 130.
    private static async Task<(string Output, string Stderr, TimeSpan Stop)> SignalledWhileTheFifoStalls(string[] tool, string command, byte[] capture,
        string outDir, params string[] options)
    {
        outDir = Directory.CreateDirectory(outDir).FullName;
        string fifo = Path.Combine(outDir, "stalled.fifo"), output = Path.Combine(outDir, "output");
        Fifo.Make(fifo);
        var start = ExternalProgram.Start(tool[0], [.. tool[1..], command, fifo, "-o", output, .. options]);
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        await writer.WriteAsync(capture);
        await writer.FlushAsync();
        // Signalled once the command has taken every byte out of the FIFO: counting the bytes it had read (rchar) signalled
        // it after 2.5 KB of the lab capture, since the runtime's own files come to 49 KB under the JIT.
        var waited = Stopwatch.StartNew();
        while (Fifo.Unread(writer) > 0 && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(20);
        await Task.Delay(200);
        Assert.False(process.HasExited, $"{command} ended before it could be signalled");

        var (error, stop) = await StopsAt130(process, stderr);
        return (output, error, stop);
    }

    private static int PacketsIn(byte[] capture)
    {
        using var reader = PortAudit.Sources.Files.CaptureFile.Open("capture", new MemoryStream(capture));
        int packets = 0;
        while (reader.TryRead(out _)) packets++;
        return packets;
    }

    // Bytes the process has read, its own files included (Linux's /proc/PID/io).
    private static long ReadBytes(Process process)
    {
        try
        {
            string line = File.ReadLines($"/proc/{process.Id}/io").First(l => l.StartsWith("rchar:", StringComparison.Ordinal));
            return long.Parse(line["rchar:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // ended meanwhile
        }
    }

    [Fact]
    public async Task A_second_sigterm_ends_the_audit_at_once_and_still_leaves_no_temporary()
    {
        // The second signal must meet the first stop still going. A host stall can let the audit end first, or hold both
        // signals pending as one: the first stop's 130 then. That is tried once more from the start; a second signal the
        // command does not take gives 130 both times.
        var (exitCode, outDir) = await TwoSignals(1);
        if (exitCode != 143) (exitCode, outDir) = await TwoSignals(2);
        Assert.Equal(143, exitCode); // the runtime's: 128 + SIGTERM
        AssertThePreviousReportAlone(outDir);
    }

    // Starts the big audit in the directory of the attempt, sends SIGTERM twice 50 ms apart and returns its exit code.
    private async Task<(int ExitCode, string OutDir)> TwoSignals(int attempt)
    {
        string outDir = OutDir(attempt);
        var (process, stderr) = await StartBigAudit(outDir);
        using var _ = process;

        Terminate(process);
        await Task.Delay(50);
        // Not asserted: a process that a stall let end already has no one left to signal, and its exit code says so.
        SendSigterm(process);
        bool ended = process.WaitForExit(TimeSpan.FromSeconds(30));
        if (!ended) process.Kill(entireProcessTree: true);
        await stderr;

        Assert.True(ended);
        return (process.ExitCode, outDir);
    }
}
