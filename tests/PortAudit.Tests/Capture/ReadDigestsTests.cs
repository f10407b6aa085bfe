using System.Security.Cryptography;
using PortAudit.Audit;
using PortAudit.Capture;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report;
using PortAudit.Sources;
using PortAudit.Tests.Live;

namespace PortAudit.Tests.Capture;

/// <summary>A capture read to its end is hashed as it is read; an edited or partly read file is not served from that digest.</summary>
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
    public void AFileReadInPartHasNoDigestFromTheRead()
    {
        using (var reader = CaptureFile.Open(_path, digest: true))
            Assert.True(reader.TryRead(out _));
        Assert.Null(ReadDigests.TryGet(_path));
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
