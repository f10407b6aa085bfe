using PortAudit.Common;
using PortAudit.Report;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Report;

/// <summary>
/// Output files are created new without truncation where nothing stands, and still replace what a previous run left:
/// a longer file, a stale temporary of the same process id, a device.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class OutputSetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Write(Stream stream, string text)
    {
        using (stream) stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
    }

    [Fact]
    public void AnOutputFileIsCreatedOrReplacedWhole()
    {
        string path = _dir.File("flows.jsonl");
        Write(OutputSet.OpenFile(path), "a much longer first run\n");
        Assert.Equal("a much longer first run\n", File.ReadAllText(path));
        Write(OutputSet.OpenFile(path), "short\n");
        Assert.Equal("short\n", File.ReadAllText(path));
        Write(OutputSet.OpenFile("/dev/null"), "discarded\n");
    }

    [Fact]
    public void ASetReplacesAStaleTemporaryAndThePreviousFiles()
    {
        string stale = _dir.File($".report.md.{Environment.ProcessId}.partial");
        File.WriteAllText(stale, "left by a run that crashed, longer than what follows");
        File.WriteAllText(_dir.File("report.md"), "previous report");
        using (var set = new OutputSet(_dir.Root))
        {
            Write(set.Create("report.md"), "new report");
            set.Commit();
        }
        Assert.Equal("new report", File.ReadAllText(_dir.File("report.md")));
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void An_output_abandoned_after_its_last_write_stays_the_previous_file()
    {
        // The run stopped elsewhere once SIGTERM's grace ran out (inspecting held flows): no write saw the token, and the
        // file used to take the target's place whole-looking at dispose.
        string path = _dir.File("flows.jsonl");
        File.WriteAllText(path, "the previous run\n");
        using var abandon = new CancellationTokenSource();
        var stream = OutputSet.OpenFile(path, abandon.Token);
        stream.Write("the first flows of this run\n"u8);
        abandon.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(stream.Dispose);

        Assert.Equal("the previous run\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Root));
    }

    [Fact]
    public void ADirectoryInTheWayIsNamedInTheError()
    {
        string path = _dir.File("out");
        Directory.CreateDirectory(path);
        var error = Assert.Throws<InputException>(() => OutputSet.OpenFile(path));
        Assert.Contains(path, error.Message);
    }
}
