using System.IO.Compression;
using PortAudit.Decode;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Sources.Files;

[Trait(Tier.Name, Tier.Unit)]
public class CaptureReaderTests
{
    private static readonly byte[] Frame = Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(40000, 53)));

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void PcapOfEitherByteOrderAndUnitGivesTheSameTimes(bool bigEndian, bool nanoseconds)
    {
        var file = new PcapBuilder(bigEndian: bigEndian, nanoseconds: nanoseconds).Add(Frame, 1.5).Add(Frame, 2.25).Build();
        using var reader = CaptureFile.Open("t.pcap", new MemoryStream(file));
        Assert.True(reader.TryRead(out var first));
        Assert.Equal(1_700_000_001_500_000_000L, first.TimestampNs);
        Assert.Equal(Frame.Length, first.Data.Length);
        Assert.True(reader.TryRead(out var second));
        Assert.Equal(1_700_000_002_250_000_000L, second.TimestampNs);
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void SnaplenShorterThanPacketsStillCountsIpBytesFromTheHeader()
    {
        var payload = new byte[1000];
        var frame = Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(40000, 9999, payload)));
        var file = new PcapBuilder(snapLength: 64).Add(frame).Build();
        var flow = Assert.Single(FlowRunner.Run(file).Flows);
        Assert.Equal(20 + 8 + 1000, flow.BytesToServer);
    }

    [Fact]
    public void PcapNgWithSectionsOfBothByteOrdersInterfacesAndAllPacketBlocks()
    {
        var raw = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(40000, 53));
        var file = new PcapNgBuilder()
            .Section()
            .Interface(1)                      // Ethernet, microseconds
            .Interface(101, tsresol: 9)        // raw IP, nanoseconds
            .Unknown(0x0BAD)                   // a custom block: a frame, no packet
            .Enhanced(0, 1_700_000_000_000_001UL, Frame)
            .Enhanced(1, 1_700_000_000_000_000_002UL, raw)
            .Obsolete(0, 1_700_000_000_000_003UL, Frame)
            .Section(bigEndian: true)
            .Interface(228, tsresol: 0x80 | 1)  // raw IPv4, half seconds
            .Simple(raw)
            .Enhanced(0, 3_400_000_001UL, raw)
            .Build();
        using var reader = CaptureFile.Open("t.pcapng", new MemoryStream(file));
        var seen = new List<(int Link, long Ns, int Length)>();
        while (reader.TryRead(out var p)) seen.Add((p.LinkType, p.TimestampNs, p.Data.Length));
        Assert.Equal(new[]
        {
            (1, 1_700_000_000_000_001_000L, Frame.Length),
            (101, 1_700_000_000_000_000_002L, raw.Length),
            (1, 1_700_000_000_000_003_000L, Frame.Length),
            (228, 0L, raw.Length),
            (228, 1_700_000_000_500_000_000L, raw.Length),
        }, seen);
    }

    /// <summary>
    /// Four packets from 10.0.0.1 to .4, each a flow of its own, between blocks that hold none: tshark 4.0 numbers the
    /// custom blocks (both kinds), the systemd journal entry and the sysdig events (0x204, 0x216, 0x221) as frames, and
    /// not the name resolution, interface statistics, decryption secrets or unknown blocks. tshark's frame numbers of
    /// the four packets are 1, 4, 9 and 11 (<see cref="PcapNgFrameNumberTsharkTests"/> asks it).
    /// </summary>
    internal static byte[] PacketsAmongBlocksWithoutPackets() => new PcapNgBuilder()
        .Section()
        .Interface(1)
        .Enhanced(0, 1_700_000_000_000_001UL, Client(1))
        .Unknown(0x00000BAD, 8)                // custom block, copied: a frame
        .Unknown(0x40000BAD, 8)                // custom block, not copied: a frame
        .Unknown(4, 4)                         // name resolution: no frame
        .Unknown(5, 12)                        // interface statistics: no frame
        .Unknown(10, 8)                        // decryption secrets: no frame
        .Enhanced(0, 1_700_000_000_000_002UL, Client(2))
        .Other(9, "__REALTIME_TIMESTAMP=1700000000000003\nMESSAGE=hi\n\n"u8.ToArray()) // systemd journal export: a frame
        .Unknown(0x204, 28)                    // sysdig event: a frame
        .Unknown(0x216, 32)                    // sysdig event v2: a frame
        .Unknown(0x221, 32)                    // sysdig event v2 large: a frame
        .Simple(Client(3))
        .Unknown(0x00000BAD, 8)
        .Unknown(0x12345, 8)                   // unknown: no frame
        .Obsolete(0, 1_700_000_000_000_004UL, Client(4))
        .Build();

    /// <summary>The frame numbers tshark gives the four packets of <see cref="PacketsAmongBlocksWithoutPackets"/>.</summary>
    internal static readonly long[] TsharkFrameNumbers = [1, 4, 9, 11];

    private static byte[] Client(int host) => Ethernet(Ipv4($"10.0.0.{host}", "10.0.0.99", 17, Udp(40000, 53)));

    // The reader skipped custom blocks without a word, and the pipeline numbered packets 1, 2, 3, 4: a finding named
    // frame 2 where Wireshark shows frame 4.
    [Fact]
    public void PcapNgBlocksTsharkNumbersAsFramesAreCountedBeforeTheNextPacket()
    {
        using var reader = CaptureFile.Open("t.pcapng", new MemoryStream(PacketsAmongBlocksWithoutPackets()));
        var passed = new List<long>();
        while (reader.TryRead(out var p)) passed.Add(p.FramesPassed);
        Assert.Equal([0L, 2, 4, 1], passed);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)] // each shard reads the file itself
    [InlineData(2, true)]  // one reader deals the packets to the shards
    public void FlowsNameTheFrameTsharkGivesTheirFirstPacketPastBlocksWithoutPackets(int workers, bool compressed)
    {
        using var directory = new TempDirectory();
        string path = directory.File(compressed ? "t.pcapng.gz" : "t.pcapng");
        var capture = PacketsAmongBlocksWithoutPackets();
        File.WriteAllBytes(path, compressed ? Gzip.Compress(capture) : capture);
        var collector = new FlowCollector { ReadsPackets = workers == 1 };
        var run = new PortAudit.Pipeline.TrafficRun(new PortAudit.Flows.FlowTableOptions { Workers = workers }, collector);
        run.Read(CaptureFileSource.Of([path]));
        Assert.Empty(run.Summary.Errors);
        Assert.Equal(TsharkFrameNumbers, collector.Flows.OrderBy(f => f.Client.ToString()).Select(f => f.FirstFrame));
        Assert.Equal(4, run.Summary.Traffic.Packets); // the blocks without a packet are frames, not packets
    }

    [Fact]
    public void ASingleThreadedReadNumbersFramesAsTsharkDoes()
    {
        var flows = FlowRunner.Run(PacketsAmongBlocksWithoutPackets()).Flows;
        Assert.Equal(TsharkFrameNumbers, flows.OrderBy(f => f.Client.ToString()).Select(f => f.FirstFrame));
    }

    // A damaged resolution or timestamp made the count of nanoseconds wrap to another time, before 1970 or anywhere:
    // the audit's time bins then spanned days at their finest width (a fuzzed capture's audit held 6.9 GB).
    [Fact]
    public void APcapNgTimestampPastWhatNanosecondsHoldIsDamageAtItsBlock()
    {
        var builder = new PcapNgBuilder().Section().Interface(1, tsresol: 0).Enhanced(0, 1_700_000_000UL, Frame);
        long second = builder.Build().Length;
        var file = builder.Enhanced(0, 1_683_293_610_442_767UL, Frame).Build();
        using var reader = CaptureFile.Open("t.pcapng", new MemoryStream(file));

        Assert.True(reader.TryRead(out var first));
        Assert.Equal(1_700_000_000L * 1_000_000_000, first.TimestampNs);
        var error = Assert.Throws<CaptureFormatException>(() => reader.TryRead(out _));
        Assert.Equal(second, error.Offset);
        Assert.Contains("timestamp 1683293610442767 in units of 10^-0 s is past what 64-bit nanoseconds since 1970 hold", error.Message);
    }

    [Fact]
    public void APcapNgInterfacesOffsetMovesItsTimesEvenBefore1970AndPastItsRangeIsDamage()
    {
        var file = new PcapNgBuilder().Section()
            .Interface(1, tsoffset: -1_800_000_000)
            .Interface(1, tsoffset: long.MaxValue / 2)
            .Enhanced(0, 1_700_000_000_000_001UL, Frame)
            .Enhanced(1, 1UL, Frame)
            .Build();
        using var reader = CaptureFile.Open("t.pcapng", new MemoryStream(file));

        Assert.True(reader.TryRead(out var before1970));
        Assert.Equal(-100_000_000_000_000_000L + 1_000, before1970.TimestampNs);
        Assert.Throws<CaptureFormatException>(() => reader.TryRead(out _));
    }

    [Fact]
    public void GzipCompressedCaptureIsReadTransparently()
    {
        var plain = new PcapBuilder().Add(Frame).Add(Frame).Build();
        var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(plain);
        var flow = Assert.Single(FlowRunner.Run(packed.ToArray()).Flows);
        Assert.Equal(2, flow.PacketsToServer);
    }

    [Fact]
    public void SeveralFilesInOneRunShareTheFlowTable()
    {
        var dir = Directory.CreateTempSubdirectory("portaudit-test");
        try
        {
            var a = Path.Combine(dir.FullName, "a.pcap");
            var b = Path.Combine(dir.FullName, "b.pcapng");
            File.WriteAllBytes(a, new PcapBuilder().Add(Frame, 1).Build());
            File.WriteAllBytes(b, new PcapNgBuilder().Section().Interface(1).Enhanced(0, 1_700_000_002_000_000UL, Frame).Build());
            var flow = Assert.Single(FlowRunner.Run(a, b).Flows);
            Assert.Equal(2, flow.PacketsToServer);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    // A split run's shards each open a file on disk again (ShardReplica); the same records only while it is unchanged.
    [Fact]
    public void A_capture_file_is_opened_again_only_while_its_length_and_time_are_unchanged()
    {
        using var directory = new TempDirectory();
        string path = directory.File("again.pcap");
        File.WriteAllBytes(path, new PcapBuilder().Add(Frame, 1.5).Build());
        using var first = CaptureFile.Open(path);
        Assert.True(CaptureFile.CanReopen(first));
        var file = CaptureFile.ExistingFile(path)!;
        var opened = (file.Length, file.LastWriteTimeUtc);
        using (var again = CaptureFile.OpenAgain(path, opened, CancellationToken.None))
            Assert.True(again.TryRead(out _));
        File.WriteAllBytes(path, new PcapBuilder().Add(Frame, 1.5).Add(Frame, 2.5).Build());
        var error = Assert.Throws<PortAudit.Common.InputException>(() => CaptureFile.OpenAgain(path, opened, CancellationToken.None));
        Assert.Contains("changed since it was opened", error.Message);
    }

    [Fact]
    public void A_compressed_capture_or_a_stream_is_not_opened_again()
    {
        var pcap = new PcapBuilder().Add(Frame, 1.5).Build();
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(pcap);
        using var directory = new TempDirectory();
        string path = directory.File("again.pcap.gz");
        File.WriteAllBytes(path, compressed.ToArray());
        using (var fromFile = CaptureFile.Open(path)) Assert.False(CaptureFile.CanReopen(fromFile));
        using var fromStream = CaptureFile.Open("t.pcap", new MemoryStream(pcap));
        Assert.False(CaptureFile.CanReopen(fromStream));
    }
}
