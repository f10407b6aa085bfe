using System.Security.Cryptography;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Sources.Files;

/// <summary>A capture is hashed while it is read; an edited file is not served from that digest; a named pipe gets none.</summary>
[Trait("Tier", "unit")]
public sealed class ReadDigestsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"portaudit-digest-{Guid.NewGuid():N}.pcapng");

    public ReadDigestsTests() => File.Copy(SharedData.InRepository("captures/lab.pcapng"), _path);

    public void Dispose() => File.Delete(_path);

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void AFileReadToItsEndHasTheDigestOfItsBytes()
    {
        Assert.Null(ReadDigests.TryGet(_path));
        using (var reader = CaptureFile.Open(_path, digest: true))
            while (reader.TryRead(out _)) { }
        Assert.Equal(Sha256Of(_path), ReadDigests.TryGet(_path));
        Assert.Equal(Sha256Of(_path), Digests.OfInput(_path).Sha256);
    }

    [Fact]
    public void DigestsOfSeveralFilesTakenInTurnAreEachTheirFilesOwn()
    {
        // Files are hashed one at a time; each digest still names its own file, whichever is asked for first.
        string second = _path + ".second.pcapng";
        File.WriteAllBytes(second, [.. File.ReadAllBytes(_path), 0]);
        try
        {
            ReadDigests.Begin([_path, second]);
            Assert.Equal(Sha256Of(second), ReadDigests.TryGet(second));
            Assert.Equal(Sha256Of(_path), ReadDigests.TryGet(_path));
            Assert.NotEqual(ReadDigests.TryGet(_path), ReadDigests.TryGet(second));
        }
        finally
        {
            File.Delete(second);
        }
    }

    [Fact]
    public void ADigestBegunBeforeTheReadIsTheFilesAndTheReadDoesNotStartAnother()
    {
        // An audit begins its captures' digests before it loads the catalog; the read that follows finds one running.
        ReadDigests.Begin([_path, _path + ".missing", Path.GetTempPath(), CaptureFile.StandardInput]);
        using (var reader = CaptureFile.Open(_path, digest: true))
            while (reader.TryRead(out _)) { }
        Assert.Equal(Sha256Of(_path), ReadDigests.TryGet(_path));
        Assert.Null(ReadDigests.TryGet(_path + ".missing"));
    }

    [Fact]
    public void ACaptureReadThroughASymbolicLinkKeepsTheDigestTakenBesideTheRead()
    {
        // A link's own length and time are not its file's: compared with the file's, the digest was thrown away and the
        // provenance read the whole capture again after the run (the benchmark corpus is often a link).
        string link = _path + ".link.pcapng";
        File.CreateSymbolicLink(link, _path);
        try
        {
            ReadDigests.Begin([link]);
            using (var reader = CaptureFile.Open(link, digest: true))
                while (reader.TryRead(out _)) { }
            Assert.Equal(Sha256Of(_path), ReadDigests.TryGet(link));
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Fact]
    public async Task BeginningDigestsLeavesANamedPipeToTheRead()
    {
        // Opening a FIFO for a digest would wait for its writer, or take the data its reader needs.
        string fifo = _path + ".begin.fifo";
        Fifo.Make(fifo);
        try
        {
            var begin = Task.Run(() => ReadDigests.Begin([fifo]));
            // A Begin that waits on the pipe leaves the test's wait to time out, and the test fails rather than hangs.
            Assert.Same(begin, await Task.WhenAny(begin, Task.Delay(TimeSpan.FromSeconds(10))));
            Assert.Null(ReadDigests.TryGet(fifo));
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void AFileReadInPartHasTheDigestOfTheWholeFile()
    {
        // The digest is taken beside the reader, from the file: a read that stops early (a signal, a damaged record)
        // still names the file it was given.
        using (var reader = CaptureFile.Open(_path, digest: true))
            Assert.True(reader.TryRead(out _));
        Assert.Equal(Sha256Of(_path), ReadDigests.TryGet(_path));
    }

    [Fact]
    public async Task ACaptureFromANamedPipeIsReadAndReportedAsAPipeWithoutDigest()
    {
        // A shell's <(zcat capture.gz) is a named pipe: read once, it cannot be hashed again, and opening it again for a
        // digest would wait for a writer that is gone.
        string fifo = _path + ".fifo";
        Fifo.Make(fifo);
        try
        {
            var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(_path)));
            int packets = 0;
            using (var reader = CaptureFile.Open(fifo, digest: true))
                while (reader.TryRead(out _)) packets++;
            await writer;
            Assert.True(packets > 0);
            var digest = Digests.OfInput(fifo);
            Assert.Equal(InputKind.Pipe, digest.Kind);
            Assert.Null(digest.Sha256);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void AFileReadWithoutDigestIsNotHashed()
    {
        using (var reader = CaptureFile.Open(_path))
            while (reader.TryRead(out _)) { }
        Assert.Null(ReadDigests.TryGet(_path));
    }

    [Fact]
    public void AFileChangedAfterItsReadIsHashedAgain()
    {
        using (var reader = CaptureFile.Open(_path, digest: true))
            while (reader.TryRead(out _)) { }
        File.AppendAllText(_path, "x");
        Assert.Null(ReadDigests.TryGet(_path));
        Assert.Equal(Sha256Of(_path), Digests.OfInput(_path).Sha256);
    }

    [Fact]
    public void AnAuditOfFilesRecognisedByContentHashesTheCaptureWhileReadingIt()
    {
        // The CLI hands the audit files whose format is told by content: a capture among them must be hashed on the way,
        // or the provenance reads the whole file a second time after the run.
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        using var dir = new TempDirectory();
        using (var run = new AuditRun(context, new AuditSettings { OutputDirectory = dir.File("") }, new FlowTableOptions()))
            run.Run(RecordFileSource.Of([_path]));
        Assert.Equal(Sha256Of(_path), ReadDigests.TryGet(_path));
    }
}
