using PortAudit.Common;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Sources.Files;

[Trait(Tier.Name, Tier.Unit)]
public class DamagedCaptureTests
{
    private static byte[] Frame(int i) => Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp((ushort)(40000 + i), 53)));

    private static (byte[] File, List<long> Offsets) ValidPcap(int records)
    {
        var builder = new PcapBuilder();
        for (int i = 0; i < records; i++) builder.Add(Frame(i), i);
        return (builder.Build(), builder.RecordOffsets);
    }

    [Fact]
    public void PcapTruncatedAtEveryByteKeepsCompleteRecordsAndNamesTheOffset()
    {
        var (file, offsets) = ValidPcap(5);
        for (int cut = 0; cut < file.Length; cut++)
        {
            var damaged = file[..cut];
            int complete = offsets.Count(o => o + 16 + Frame(0).Length <= cut);
            var runner = new FlowRunner();
            InputException? error = null;
            try
            {
                using var reader = CaptureFile.Open("cut.pcap", new MemoryStream(damaged));
                runner.Reader.Read(reader);
            }
            catch (InputException ex)
            {
                error = ex; // only the file header can fail at open
            }
            runner.Table.Flush();
            Assert.Equal(complete, runner.Flows.Sum(f => (int)f.PacketsToServer));
            bool atBoundary = cut == 24 || offsets.Contains(cut);
            if (cut < 24)
            {
                Assert.NotNull(error);
                Assert.StartsWith("cut.pcap: byte 0: ", error!.Message);
            }
            else if (atBoundary)
            {
                Assert.Empty(runner.Reader.Errors);
            }
            else
            {
                var damage = Assert.IsType<CaptureFormatException>(Assert.Single(runner.Reader.Errors));
                Assert.Equal(offsets.Last(o => o < cut), damage.Offset);
                Assert.Contains("truncated", damage.Message);
            }
        }
    }

    [Fact]
    public void PcapNgTruncatedAtEveryByteNeverThrowsAnythingElse()
    {
        var b = new PcapNgBuilder().Section().Interface(1);
        var blockEnds = new List<int>();
        for (int i = 0; i < 4; i++) blockEnds.Add(b.Enhanced(0, (ulong)i * 1000, Frame(i)).Build().Length);
        var file = b.Build();
        for (int cut = 0; cut < file.Length; cut++)
        {
            var runner = new FlowRunner();
            try
            {
                using var reader = CaptureFile.Open("cut.pcapng", new MemoryStream(file[..cut]));
                runner.Reader.Read(reader);
            }
            catch (InputException)
            {
            }
            runner.Table.Flush();
            Assert.Equal(blockEnds.Count(end => end <= cut), runner.Flows.Sum(f => (int)f.PacketsToServer));
            Assert.All(runner.Reader.Errors, e => Assert.StartsWith("cut.pcapng: byte ", e.Message));
        }
    }

    [Fact]
    public void RecordLengthPointingPastTheEndIsTruncation()
    {
        var file = new PcapBuilder().Add(Frame(0)).Add(Frame(1), captured: 5000).Build();
        var runner = FlowRunner.Run(file);
        Assert.Equal(1, runner.Flows.Sum(f => f.PacketsToServer));
        var error = Assert.Single(runner.Reader.Errors);
        Assert.Equal($"test.pcap: byte {24 + 16 + Frame(0).Length}: truncated record: 5000 bytes declared, {Frame(1).Length} present", error.Message);
    }

    [Fact]
    public void GiantRecordIsRejectedWithoutAllocatingIt()
    {
        var file = new PcapBuilder().Add(Frame(0)).Add(Frame(1), captured: int.MaxValue).Build();
        var error = Assert.Single(FlowRunner.Run(file).Reader.Errors);
        Assert.Contains("exceeds the maximum", error.Message);
    }

    [Fact]
    public void DamagedSnapshotLengthDoesNotLetARecordAskForGigabytes()
    {
        // Found by the draft fuzz target: a mutated header declared a snapshot length of 2^31-1, which then allowed a
        // record of 1.9 GB, allocated before the bytes to fill it were read.
        var file = new PcapBuilder(snapLength: int.MaxValue).Add(Frame(0)).Add(Frame(1), captured: 1_919_120_233).Build();
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var reader = CaptureFile.Open("snap.pcap", new MemoryStream(file));

        Assert.True(reader.TryRead(out _));
        var error = Assert.Throws<CaptureFormatException>(() => reader.TryRead(out _));

        Assert.Equal($"snap.pcap: byte {24 + 16 + Frame(0).Length}: record length 1919120233 exceeds the maximum of 67108864 (snaplen 2147483647): corrupt record header", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
    }

    [Fact]
    public void ARecordClaimingMegabytesInATinyFileCostsNoMoreThanTheFile()
    {
        // Found by the coverage-guided pcap harness (tools/fuzz/afl.sh pcap) under a 32 MiB heap: 62 bytes whose
        // snapshot length allows 64 MiB and whose record header claims 28 MB, which was allocated before reading.
        byte[] file = Convert.FromHexString(
            "4d3cb2a10200000041000141000100b001060607eb00000450000003ab83bc03df00b0" +
            "01060607eb00000450000003ab83bc03dfd94f51c36c3d302e0000");
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var reader = CaptureFile.Open("tiny.pcap", new MemoryStream(file));

        var error = Assert.Throws<CaptureFormatException>(() => reader.TryRead(out _));

        Assert.Equal("tiny.pcap: byte 24: truncated record: 28311775 bytes declared, 22 present", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20);
    }

    [Fact]
    public void ZeroLengthRecordIsReadAndSkipped()
    {
        var file = new PcapBuilder().Add(Array.Empty<byte>()).Add(Frame(0)).Build();
        var runner = FlowRunner.Run(file);
        Assert.Empty(runner.Reader.Errors);
        Assert.Equal(2, runner.Reader.Statistics.Packets);
        Assert.Single(runner.Flows);
    }

    [Fact]
    public void WrongMagicIsAnUnknownFormat()
    {
        var file = ValidPcap(1).File;
        file[0] = 0x00;
        var ex = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open("x.cap", new MemoryStream(file)));
        Assert.Equal("x.cap: byte 0: unknown format: magic bytes 00 c3 b2 a1 are neither pcap, pcapng nor gzip, " +
                     "nor a flow-record format portaudit recognises (--input-format names one)", ex.Message);
    }

    [Fact]
    public void AnExportWhoseHeaderDoesNotHoldIsNamedByItsVersion()
    {
        // NetFlow v5 with a record count that lies is not recognised as an export: the message once said only that it
        // was no capture.
        byte[] v5 = [0x00, 0x05, 0x00, 0x02, .. new byte[20]];
        var ex = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open("x.nf5", new MemoryStream(v5)));
        Assert.EndsWith("though it begins with version 5: --input-format netflow reads it and names the fault", ex.Message);
    }

    [Fact]
    public void PcapNgBlockWithInvalidLengthNamesItsOffset()
    {
        var file = new PcapNgBuilder().Section().Interface(1).Enhanced(0, 0, Frame(0)).Build();
        int epb = 28 + 20;
        BitConverter.GetBytes(7u).CopyTo(file, epb + 4); // not a multiple of 4
        var error = Assert.Single(FlowRunner.Run(file).Reader.Errors);
        Assert.Equal($"test.pcap: byte {epb + 4}: block type 0x00000006 has invalid length 7", error.Message);
    }

    [Fact]
    public void PacketForAnUndescribedInterfaceIsDamage()
    {
        var file = new PcapNgBuilder().Section().Interface(1).Enhanced(3, 0, Frame(0)).Build();
        var error = Assert.Single(FlowRunner.Run(file).Reader.Errors);
        Assert.Contains("refers to interface 3, but the section describes 1", error.Message);
    }

    [Fact]
    public void EnhancedPacketLengthPointingPastItsBlockIsDamage()
    {
        var file = new PcapNgBuilder().Section().Interface(1).Enhanced(0, 0, Frame(0), capturedOverride: 4000).Build();
        var error = Assert.Single(FlowRunner.Run(file).Reader.Errors);
        Assert.Contains("enhanced packet block: captured length 4000 points past the block's end", error.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void TruncatedGzipIsDamageNotACrash(double keep)
    {
        var plain = ValidPcap(20).File;
        var packed = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, true)) gz.Write(plain);
        var cut = packed.ToArray()[..(int)(packed.Length * keep)];
        var runner = FlowRunner.Run(cut);
        var error = Assert.Single(runner.Reader.Errors);
        Assert.StartsWith("test.pcap: byte ", error.Message);
        Assert.InRange(runner.Flows.Sum(f => f.PacketsToServer), 1, 19);
    }

    [Fact]
    public void CorruptGzipIsDamageNotACrash()
    {
        var plain = ValidPcap(20).File;
        var packed = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, true)) gz.Write(plain);
        var bytes = packed.ToArray();
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 40; i++) bytes[i] ^= 0x5A;
        // The decompressor reads ahead, so the damage may surface while opening or while reading.
        InputException? error = null;
        try
        {
            error = FlowRunner.Run(bytes).Reader.Errors.SingleOrDefault();
        }
        catch (CaptureFormatException ex)
        {
            error = ex;
        }
        Assert.NotNull(error);
        Assert.Contains("corrupt compressed data", error!.Message);
    }

    [Fact]
    public void EmptyFileIsNotACapture()
    {
        var ex = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open("empty.pcap", new MemoryStream()));
        Assert.Equal("empty.pcap: byte 0: empty file: not a capture", ex.Message);
    }

    [Fact]
    public void MissingFileIsAOneLineInputError()
    {
        var ex = Assert.Throws<InputException>(() => CaptureFile.Open("no/such/file.pcap"));
        Assert.Equal("no/such/file.pcap: cannot open: no such directory", ex.Message);
    }
}
