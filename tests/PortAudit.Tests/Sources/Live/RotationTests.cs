using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Live;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Sources.Live;

[Trait(Tier.Name, Tier.Unit)]
public class RotationTests : IDisposable
{
    private static readonly CaptureInterface[] Interfaces = PcapNgWriterTests.TwoInterfaces;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("cap.pcapng", 0, "cap.pcapng")]
    [InlineData("cap.pcapng", 2, "cap.2.pcapng")]
    [InlineData("cap", 3, "cap.3")]
    public void IndexGoesBeforeTheExtension(string path, int index, string expected) =>
        Assert.Equal(expected, RotatingPcapNgWriter.FileName(path, index));

    private List<string> WriteAll(CaptureRotation rotation, int count)
    {
        string path = _dir.File("cap.pcapng");
        using var writer = new RotatingPcapNgWriter(path, Interfaces, rotation);
        foreach (var p in PcapNgWriterTests.Packets(count))
            writer.Write(p.Interface, new PacketRecord(p.Data, p.TimestampNs, p.OriginalLength, 0, 0));
        Assert.Equal(count, writer.Packets);
        return writer.Files;
    }

    private static List<long> ReadTimestamps(IEnumerable<string> files)
    {
        var timestamps = new List<long>();
        foreach (var file in files)
        {
            using var reader = CaptureFile.Open(file);
            while (reader.TryRead(out var record)) timestamps.Add(record.TimestampNs);
        }
        return timestamps;
    }

    [Fact]
    public void SavedPacketsCountsWhatReachedTheFileNotWhatWasBuffered()
    {
        using var writer = new RotatingPcapNgWriter(_dir.File("cap.pcapng"), Interfaces, default);
        var packets = PcapNgWriterTests.Packets(5).ToList();
        foreach (var p in packets.Take(3)) writer.Write(p.Interface, new PacketRecord(p.Data, p.TimestampNs, p.OriginalLength, 0, 0));
        writer.Flush();
        foreach (var p in packets.Skip(3)) writer.Write(p.Interface, new PacketRecord(p.Data, p.TimestampNs, p.OriginalLength, 0, 0));

        Assert.Equal((5L, 3L), (writer.Packets, writer.SavedPackets));
        writer.Dispose();
        Assert.Equal(5L, writer.SavedPackets);
    }

    [Fact]
    public void AFullDiskIsReportedOnceAndNothingIsClaimedSaved()
    {
        if (!File.Exists("/dev/full")) return;
        var writer = new RotatingPcapNgWriter("/dev/full", Interfaces, default);
        foreach (var p in PcapNgWriterTests.Packets(100))
            writer.Write(p.Interface, new PacketRecord(p.Data, p.TimestampNs, p.OriginalLength, 0, 0));

        var error = Assert.Throws<InputException>(writer.Flush);

        Assert.StartsWith("/dev/full: cannot write:", error.Message);
        Assert.Equal((100L, 0L), (writer.Packets, writer.SavedPackets));
        writer.Dispose(); // closing the failed file must not report the same loss a second time
    }

    [FullDiskFact]
    public void AFullDiskLeavesAFileOfWholePacketsAndSavedPacketsSaysHowMany()
    {
        // A capture stopped by a full 2 MB tmpfs said "saved 0 packets" of a file tshark read 1,948 packets from (the
        // last cut short): the count stopped at the last flush while the stream went on writing its buffer until the
        // disk refused. The message ended with .NET's " : '/full/path'" after the file already named.
        using var disk = FullDisk.Create(_dir.File("disk"));
        string path = Path.Combine(disk.Directory, "cap.pcapng");
        var writer = new RotatingPcapNgWriter(path, Interfaces, default);
        var data = new byte[997];
        long sent = 0;
        void WriteOne() => writer.Write(0, new PacketRecord(data, 1_700_000_000_000_000_000L + sent++ * 1000, data.Length, 0, 0));
        for (int i = 0; i < 20; i++) WriteOne();
        writer.Flush();

        Action fill = () =>
        {
            while (true) WriteOne();
        };
        var error = Assert.Throws<InputException>(fill);
        writer.Dispose();

        long inFile = 0;
        using (var saved = CaptureFile.Open(path))
            while (saved.TryRead(out _)) inFile++;
        Assert.InRange(inFile, 21, sent - 1);
        Assert.Equal(inFile, writer.SavedPackets);
        Assert.Equal($"{path}: cannot write: No space left on device", error.Message);
    }

    [Fact]
    public void SizeRotationKeepsEveryFileUnderTheLimitAndLosesNothing()
    {
        const long limit = 600;
        var files = WriteAll(new CaptureRotation(limit, TimeSpan.Zero), 20);
        Assert.Equal(4, files.Count);
        Assert.Equal(_dir.File("cap.1.pcapng"), files[1]);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, limit));
        Assert.Equal(PcapNgWriterTests.Packets(20).Select(p => p.TimestampNs), ReadTimestamps(files));
    }

    [Fact]
    public void TimeRotationStartsAFileWhenAPacketIsThatMuchLaterThanTheFilesFirst()
    {
        // Sample packets are about one second apart, so 3 s puts 3 packets in each file.
        var files = WriteAll(new CaptureRotation(0, TimeSpan.FromSeconds(3)), 10);
        Assert.Equal(4, files.Count);
        using var reader = CaptureFile.Open(files[0]);
        int count = 0;
        while (reader.TryRead(out _)) count++;
        Assert.Equal(3, count);
        Assert.Equal(10, ReadTimestamps(files).Count);
    }

    [Fact]
    public void NoRotationWritesOneFile() =>
        Assert.Single(WriteAll(default, 12));

    [Fact]
    public void UnwritablePathIsAnInputError()
    {
        string path = Path.Combine(_dir.File("missing-dir"), "cap.pcapng");
        var ex = Assert.Throws<InputException>(() => new RotatingPcapNgWriter(path, Interfaces, default));
        Assert.StartsWith($"{path}: cannot write:", ex.Message);
    }
}
