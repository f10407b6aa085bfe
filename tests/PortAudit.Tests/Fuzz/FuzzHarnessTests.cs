using PortAudit.Common;
using PortAudit.Fuzz;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Fuzz;

/// <summary>The harness itself: what it counts as a crash, a hang, a memory blow-up or a clear refusal, and replay.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class FuzzHarnessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Findings => _dir.Root;

    public void Dispose() => _dir.Dispose();

    // The pcap reader's generated seed opens every tunnel it holds: afl starts from the tunnels' headers whole.
    [Fact]
    public void The_tunnel_seed_opens_each_tunnel_to_the_segment_inside()
    {
        string path = Path.Combine(_dir.Root, "tunnels.pcap");
        File.WriteAllBytes(path, TunnelSeed.Capture().Bytes);
        var flows = PortAudit.Tests.Flows.FlowRunner.Run(path).Flows;
        var inner = Assert.Single(flows, f => f.Protocol == IpProtocol.Tcp);
        Assert.Equal((445, 8L), (inner.ServerPort, inner.PacketsToServer));
        Assert.Equal(["geneve 2", "gre 3", "gtp-u 1", "l2tp 1", "vxlan 1"],
            flows.Where(f => f != inner).Select(f => $"{f.App?.ToString() ?? f.Transport} {f.PacketsToServer}").Order().ToArray());
    }

    // The pcap reader's seed of upgraded flows brings each reader it is for to the server's TLS (its leaf cut short).
    [Fact]
    public void The_upgrade_seed_reaches_the_tls_after_starttls_proceed_and_in_openvpns_control_channel()
    {
        string path = Path.Combine(_dir.Root, "upgrades.pcap");
        File.WriteAllBytes(path, UpgradeSeed.Capture().Bytes);
        var details = PortAudit.Tests.Inspect.InspectTestData.Inspect(path).Flows.Select(f => $"{f.App} {f.AppDetail}").Order().ToArray();
        Assert.Equal(["openvpn reset-v2; version=tls1.2; cert=unread", "openvpn server-reset-v2; version=tls1.2; cert=unread", "smtp starttls; version=tls1.2; cert=unread",
            "xmpp server; starttls; version=tls1.2; cert=unread"], details);
    }

    private FuzzOptions Options(double seconds = 0.5, int timeoutMs = 5000, long memoryBytes = 16L << 30) =>
        new(TimeSpan.FromSeconds(seconds), 7, [], Findings, TimeSpan.FromMilliseconds(timeoutMs), memoryBytes, ".");

    [Fact]
    public void AnInputErrorIsARefusalAndAnyOtherExceptionACrashSavedOncePerPlace()
    {
        var refuses = new StubTarget("refuses", _ => throw new InputException("bad input"));
        var crashes = new StubTarget("crashes", _ => throw new InvalidOperationException("bug"));
        var session = new FuzzSession(Options(), [refuses, crashes], TextWriter.Null);

        int found = session.Run();

        Assert.True(session.Tallies["refuses"].Rejected > 0);
        Assert.Equal(0, session.Tallies["refuses"].Crashes);
        Assert.Equal(session.Tallies["crashes"].Inputs, session.Tallies["crashes"].Crashes);
        Assert.Equal(1, found);
        string report = File.ReadAllText(Path.Combine(Findings, session.Findings.Saved[0] + ".txt"));
        Assert.StartsWith("crashes\nseed\n", report);
        Assert.Contains("InvalidOperationException: bug", report);
    }

    [Fact]
    public void AnInputPastTheTimeoutIsAHangThatEndsTheSession()
    {
        using var release = new ManualResetEventSlim();
        var hangs = new StubTarget("hangs", _ => { release.Wait(TimeSpan.FromSeconds(30)); return FuzzVerdict.Accepted; });
        var session = new FuzzSession(Options(seconds: 10, timeoutMs: 200), [hangs], TextWriter.Null);

        session.Run();
        release.Set();

        Assert.True(session.StoppedOnHang);
        Assert.Equal(1, session.Tallies["hangs"].Hangs);
        Assert.StartsWith("hang-hangs-", Assert.Single(session.Findings.Saved));
    }

    [Fact]
    public void AWorkingSetPastTheLimitIsAMemoryFinding()
    {
        var grows = new StubTarget("grows", _ => { Thread.Sleep(120); return FuzzVerdict.Accepted; });
        // Any process is over a one-byte limit: the sampler must notice during the input.
        var session = new FuzzSession(Options(memoryBytes: 1), [grows], TextWriter.Null);

        session.Run();

        Assert.True(session.Tallies["grows"].Memory > 0);
        Assert.StartsWith("memory-grows-", Assert.Single(session.Findings.Saved));
    }

    [Fact]
    public void AnInputThatKilledTheLastSessionIsReportedByTheNext()
    {
        var findings = new FuzzFindings(Findings);
        findings.Begin("capture", new FuzzSeed("dns.pcap", []), [1, 2, 3]);
        // The process died here: no End().

        var session = new FuzzSession(Options(), [], TextWriter.Null);
        session.Run();

        var died = Assert.Single(session.Findings.Saved);
        Assert.StartsWith("died-capture-", died);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(Findings, died + ".input")));
    }

    [Fact]
    public void ReplaySaysWhichSavedFindingsStillFail()
    {
        var findings = new FuzzFindings(Findings);
        findings.Save(FindingKind.Crash, "crashes", new FuzzSeed("seed", []), [1], "bug");
        findings.Save(FindingKind.Crash, "refuses", new FuzzSeed("seed", []), [2], "was a bug");
        var output = new StringWriter();

        int exit = Replay.Run(Findings, [new StubTarget("crashes", _ => throw new InvalidOperationException("still")),
            new StubTarget("refuses", _ => throw new InputException("now refused"))], Findings, output);

        Assert.Equal(FuzzCommand.Found, exit);
        Assert.Contains("FAIL crash-crashes-", output.ToString());
        Assert.Contains("ok   crash-refuses-", output.ToString());
        Assert.Contains("replay: 1 of 2 pass", output.ToString());
    }

    [Fact]
    public void MutationsStayWithinTheSizeBoundAndChangeTheInput()
    {
        var random = new Random(3);
        var seed = new FuzzSeed("s", Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray());
        int changed = 0;
        for (int i = 0; i < 500; i++)
        {
            var bytes = ByteMutator.Mutate(random, seed.Bytes, [seed]);
            var text = TextMutator.Mutate(random, "a: 1\nb: [1.2.3.4]\n"u8.ToArray());
            Assert.InRange(bytes.Length, 0, ByteMutator.MaxLength);
            Assert.InRange(text.Length, 0, ByteMutator.MaxLength);
            if (!bytes.AsSpan().SequenceEqual(seed.Bytes)) changed++;
        }
        Assert.True(changed > 450, $"only {changed} of 500 mutations changed the input");
    }

    [Fact]
    public void TheCommandLineRefusesUnknownOptionsAndBadNumbersWithExitTwo()
    {
        var errors = new StringWriter();
        Assert.Equal(FuzzCommand.Usage, FuzzCommand.Run(["--seconds", "abc"], TextWriter.Null, errors));
        Assert.Equal(FuzzCommand.Usage, FuzzCommand.Run(["--budget", "5"], TextWriter.Null, errors));
        Assert.Contains("--seconds 'abc': expects a positive whole number", errors.ToString());
        Assert.Contains("--budget '5': unknown option", errors.ToString());
    }

    [Fact]
    public void UnderAflAnInputErrorIsARefusalAndAnyOtherExceptionEscapesAsACrash()
    {
        // SharpFuzz reports to afl-fuzz a crash for whatever escapes the harness's run, and nothing else.
        var seed = new FuzzSeed("seed", [1]);
        Assert.Equal(FuzzVerdict.Rejected, AflCommand.Once(new StubTarget("refuses", _ => throw new InputException("bad input")), seed, [1], Findings));
        Assert.Equal(FuzzVerdict.Accepted, AflCommand.Once(new StubTarget("accepts", _ => FuzzVerdict.Accepted), seed, [1], Findings));
        Assert.Throws<InvalidOperationException>(() =>
            AflCommand.Once(new StubTarget("crashes", _ => throw new InvalidOperationException("bug")), seed, [1], Findings));
    }

    [Fact]
    public void TheAflCommandsRefuseAnUnknownReaderWithExitTwo()
    {
        var errors = new StringWriter();
        Assert.Equal(FuzzCommand.Usage, AflCommand.Run(["afl", "no-such-reader"], SharedData.InRepository(""), TextWriter.Null, errors));
        Assert.Contains("readers: pcap, pcapng, gzip", errors.ToString());
        Assert.Equal(FuzzCommand.Usage, AflCommand.Run(["afl-seeds", "pcap"], SharedData.InRepository(""), TextWriter.Null, TextWriter.Null));
    }

    private sealed class StubTarget(string name, Func<byte[], FuzzVerdict> run) : IFuzzTarget
    {
        public string Name => name;
        public bool IsText => false;
        public IReadOnlyList<FuzzSeed> Seeds { get; } = [new FuzzSeed("seed", [0, 1, 2, 3])];
        public FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch) => run(input);
    }
}
