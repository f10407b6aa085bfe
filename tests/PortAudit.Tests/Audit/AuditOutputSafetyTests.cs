using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Tests.Catalog;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Nothing lost, nothing mixed: an audit that cannot write, or that is stopped, leaves either the previous output set
/// whole or a complete new one, says which, and names the file it could not write.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AuditOutputSafetyTests : IDisposable
{
    private readonly InProcessAudit _audit = new();

    public void Dispose() => _audit.Dispose();

    private string OutDir => _audit.OutDir;

    private AuditRun Open() => _audit.Open();

    private IReadOnlyList<IFlowSource> Capture(params ushort[] ports) => CaptureFileSource.Of([_audit.Capture(ports)]);

    private string[] Leftovers() => Directory.GetFiles(OutDir, ".*.partial");

    [Fact]
    public void ADirectoryWhereAReportGoesFailsNamingItAndKeepsThePreviousSet()
    {
        using (var first = Open()) first.Run(Capture(135));
        string previous = File.ReadAllText(Path.Combine(OutDir, "flows.jsonl"));
        File.Delete(Path.Combine(OutDir, "report.html"));
        Directory.CreateDirectory(Path.Combine(OutDir, "report.html", "in-the-way"));

        var error = Assert.Throws<InputException>(() =>
        {
            using var second = Open();
            second.Run(Capture(135, 22));
        });

        Assert.Equal(Path.Combine(OutDir, "report.html") + ": cannot write: a directory has that name", error.Message);
        Assert.Equal(previous, File.ReadAllText(Path.Combine(OutDir, "flows.jsonl")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void AFullDiskWhileWritingReportsLeavesThePreviousSetWhole()
    {
        if (!File.Exists("/dev/full")) return;
        using (var first = Open()) first.Run(Capture(135));
        var before = Directory.GetFiles(OutDir).ToDictionary(f => f, File.ReadAllText);
        // The temporary name report.json will be written under, made to lead to a device that is always full.
        File.CreateSymbolicLink(Path.Combine(OutDir, $".report.json.{Environment.ProcessId}.partial"), "/dev/full");

        var error = Assert.Throws<InputException>(() =>
        {
            using var second = Open();
            second.Run(Capture(135, 22));
        });

        Assert.Contains("report.json: cannot write:", error.Message);
        Assert.All(before, file => Assert.Equal(file.Value, File.ReadAllText(file.Key)));
        Assert.DoesNotContain(Leftovers(), f => !new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint));
    }

    [Fact]
    public void AStoppedRunWritesCompleteReportsOfWhatWasReadMarkedIncomplete()
    {
        using var stop = new CancellationTokenSource();
        var first = Capture(135);
        IFlowSource[] sources = [new StopAfter(first[0], stop), .. Capture(22)];

        AuditOutcome outcome;
        using (var run = Open()) outcome = run.Run(sources, stop.Token);

        Assert.False(outcome.Report.Complete);
        Assert.Equal(1, outcome.Report.Summary.Flows);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.False(report.RootElement.GetProperty("complete").GetBoolean());
        Assert.Single(File.ReadAllLines(Path.Combine(OutDir, "flows.jsonl")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void ADamagedCaptureIsNeverComplete()
    {
        string path = _audit.Capture(135, 22, 443);
        var whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..(whole.Length * 2 / 3)]);

        AuditOutcome outcome;
        using (var run = Open()) outcome = run.Run(CaptureFileSource.Of([path]));

        Assert.NotEmpty(outcome.Traffic.Errors);
        Assert.False(outcome.Report.Complete);
        Assert.Equal([IncompleteReason.DamagedInput], outcome.Report.Incomplete);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.False(report.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(["damaged input"], report.RootElement.GetProperty("incomplete").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("INCOMPLETE (damaged input)", File.ReadLines(Path.Combine(OutDir, "report.md")).First());
        string html = File.ReadAllText(Path.Combine(OutDir, "report.html"));
        int body = html.IndexOf("<body", StringComparison.Ordinal);
        Assert.True(body >= 0);
        int banner = html.IndexOf("INCOMPLETE (damaged input)", body, StringComparison.Ordinal);
        Assert.True(banner > body && html.IndexOf("<h1", body, StringComparison.Ordinal) is var h1 && (h1 < 0 || banner < html.IndexOf("</h1>", h1, StringComparison.Ordinal)),
            "the HTML page says it is incomplete before its heading ends");
        var console = new StringWriter();
        PortAudit.Report.Audits.AuditConsoleSummary.Write(console, outcome.Report, OutDir);
        Assert.StartsWith("audit: INCOMPLETE (damaged input)", console.ToString());
    }

    [Fact]
    public void ACompleteRunSaysSo()
    {
        using (var run = Open()) Assert.True(run.Run(Capture(135)).Report.Complete);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.True(report.RootElement.GetProperty("complete").GetBoolean());
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void ALiveCaptureThatDroppedPacketsIsNeverComplete()
    {
        // A live capture at 1 MB behind tcpreplay --topspeed: libpcap counted 31,637 of 321,772 packets dropped, and
        // report.json said "complete": true with no word of them.
        AuditOutcome outcome;
        using (var run = Open()) outcome = run.Run([new DroppedAfter(Capture(135)[0], 37)]);

        Assert.Equal([IncompleteReason.PacketsDropped], outcome.Report.Incomplete);
        Assert.Equal(37, outcome.Report.Packets.Dropped);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.False(report.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(["packets dropped"], report.RootElement.GetProperty("incomplete").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(37, report.RootElement.GetProperty("packets").GetProperty("dropped").GetInt64());
        var markdown = File.ReadAllLines(Path.Combine(OutDir, "report.md"));
        Assert.Contains("INCOMPLETE (packets dropped)", markdown[0]);
        Assert.Contains(markdown, line => line.Contains("; 37 dropped by the capture before they were read"));
        var console = new StringWriter();
        PortAudit.Report.Audits.AuditConsoleSummary.Write(console, outcome.Report, OutDir);
        Assert.StartsWith("audit: INCOMPLETE (packets dropped)", console.ToString());
        Assert.Contains("37 dropped by the capture", console.ToString());
    }

    [Fact]
    public void AFileReportSaysNothingOfDrops()
    {
        using (var run = Open()) run.Run(Capture(135));

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        Assert.False(report.RootElement.GetProperty("packets").TryGetProperty("dropped", out _));
    }

    /// <summary>A source that says, once read, that its capture dropped <paramref name="dropped"/> packets, as a live one does.</summary>
    private sealed class DroppedAfter(IFlowSource inner, long dropped) : IFlowSource
    {
        public string Name => inner.Name;

        public void ReadInto(IFlowSink sink, CancellationToken cancel)
        {
            inner.ReadInto(sink, cancel);
            sink.Dropped(dropped);
        }
    }

    /// <summary>A source that asks the run to stop once it has been read, as a signal would.</summary>
    private sealed class StopAfter(IFlowSource inner, CancellationTokenSource stop) : IFlowSource
    {
        public string Name => inner.Name;

        public void ReadInto(IFlowSink sink, CancellationToken cancel)
        {
            inner.ReadInto(sink, cancel);
            stop.Cancel();
        }
    }
}
