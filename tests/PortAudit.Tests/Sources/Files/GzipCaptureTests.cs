using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Sources.Files;

/// <summary>
/// gzip-compressed captures: damage confined to the trailer loses no packet, and every error names an offset in
/// the compressed file, which is the file the user has.
/// </summary>
[Trait("Tier", "unit")]
public sealed class GzipCaptureTests
{
    private const int Packets = 250;

    private static byte[] Plain(int first = 0, int count = Packets)
    {
        var builder = new PcapBuilder();
        for (int i = first; i < first + count; i++)
            builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp((ushort)(20000 + i), 53, new byte[i % 200]))), i);
        return builder.Build();
    }

    private static (FlowRunner Runner, CaptureFormatException? Error) Read(byte[] file)
    {
        var runner = FlowRunner.Run(file);
        return (runner, (CaptureFormatException?)runner.Reader.Errors.SingleOrDefault());
    }

    [Fact]
    public void IntactCaptureHasNoError()
    {
        var (runner, error) = Read(Gzip.Compress(Plain()));
        Assert.Null(error);
        Assert.Equal(Packets, runner.Reader.Statistics.Packets);
    }

    [Fact]
    public void DamagedCrcKeepsEveryPacketThenNamesTheTrailer()
    {
        var file = Gzip.Compress(Plain());
        int crc = file.Length - Gzip.TrailerLength;
        file[crc] ^= 0xFF;
        var (runner, error) = Read(file);
        Assert.Equal(Packets, runner.Reader.Statistics.Packets);
        Assert.NotNull(error);
        Assert.Equal(crc, error!.Offset);
        Assert.StartsWith($"test.pcap: byte {crc}: damaged gzip trailer: CRC-32 ", error.Message);
    }

    [Fact]
    public void DamagedLengthKeepsEveryPacketThenNamesTheTrailer()
    {
        var plain = Plain();
        var file = Gzip.Compress(plain);
        int isize = file.Length - 4;
        file[isize] ^= 0x01;
        var (runner, error) = Read(file);
        Assert.Equal(Packets, runner.Reader.Statistics.Packets);
        Assert.Equal($"test.pcap: byte {isize}: damaged gzip trailer: length {plain.Length ^ 1} recorded, {plain.Length} decompressed",
            error?.Message);
    }

    [Fact]
    public void TrailerCutShortKeepsEveryPacket()
    {
        var file = Gzip.Compress(Plain());
        var (runner, error) = Read(file[..^3]);
        Assert.Equal(Packets, runner.Reader.Statistics.Packets);
        Assert.Equal($"test.pcap: byte {file.Length - Gzip.TrailerLength}: truncated gzip trailer: 5 of 8 bytes present", error?.Message);
    }

    [Fact]
    public void DataAfterTheStreamIsReported()
    {
        var gz = Gzip.Compress(Plain());
        var file = gz.Concat(new byte[100]).ToArray();
        var (runner, error) = Read(file);
        Assert.Equal(Packets, runner.Reader.Statistics.Packets);
        Assert.Equal($"test.pcap: byte {gz.Length}: 100 bytes after the end of the gzip stream", error?.Message);
    }

    [Fact]
    public void ConcatenatedMembersAreOneStream()
    {
        var plain = Plain();
        var file = Gzip.Compress(plain[..5000]).Concat(Gzip.Compress(plain[5000..])).ToArray();
        var (runner, error) = Read(file);
        Assert.Null(error);
        Assert.Equal(Packets, runner.Reader.Statistics.Packets);
    }

    /// <summary>What <c>gzip -n &lt; /dev/null</c> writes: the empty member that concatenating tools leave.</summary>
    private static readonly byte[] GzipEmpty =
        [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    /// <summary>BGZF's end-of-file block: an empty member whose header has a BC extra field.</summary>
    private static readonly byte[] BgzfEof =
    [
        0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
        0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EmptyMemberInTheMiddleIsNotDamage(bool bgzf)
    {
        var plain = Plain();
        var empty = bgzf ? BgzfEof : GzipEmpty;
        var file = Gzip.Compress(plain[..5000]).Concat(empty).Concat(Gzip.Compress(plain[5000..])).Concat(empty).ToArray();
        var (runner, error) = Read(file);
        Assert.Null(error);
        Assert.Equal(Packets, runner.Reader.Statistics.Packets);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.95)]
    public void TruncationIsReportedAtAnOffsetOfTheCompressedFile(double keep)
    {
        var file = Gzip.Compress(Plain());
        var cut = file[..(int)(file.Length * keep)];
        var (runner, error) = Read(cut);
        Assert.NotNull(error);
        Assert.InRange(error!.Offset, 10, cut.Length);
        Assert.Contains("gzip stream ends", error.Message);
        Assert.InRange(runner.Reader.Statistics.Packets, 1, Packets - 1);
    }

    [Fact]
    public void CorruptDataIsReportedAtAnOffsetOfTheCompressedFile()
    {
        var file = Gzip.Compress(Plain());
        for (int i = file.Length / 2; i < file.Length / 2 + 40; i++) file[i] ^= 0x5A;
        var (_, error) = Read(file);
        Assert.NotNull(error);
        Assert.InRange(error!.Offset, 10, file.Length);
        Assert.Contains("corrupt compressed data", error.Message);
    }

    [Fact]
    public void DamagedHeaderFlagsAreReportedAtTheHeader()
    {
        var file = Gzip.Compress(Plain());
        file[2] = 7; // compression method 7 is not deflate
        var ex = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open("test.pcap", new MemoryStream(file)));
        Assert.Equal("test.pcap: byte 2: gzip compression method 7 is not deflate (8)", ex.Message);
    }
}
