using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Sources.Files;

/// <summary>
/// The frame numbers <see cref="CaptureReaderTests"/> expects of a pcapng holding blocks without packets are the ones
/// tshark gives: a finding's frames are opened in Wireshark.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class PcapNgFrameNumberTsharkTests
{
    [NeedsProgramFact("tshark")]
    public void TsharkNumbersThePacketsAmongBlocksWithoutPacketsAsTheFlowsSay()
    {
        using var directory = new TempDirectory();
        string path = directory.File("blocks.pcapng");
        File.WriteAllBytes(path, CaptureReaderTests.PacketsAmongBlocksWithoutPackets());
        var lines = External.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "ip.src")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r').Split('\t')).ToList();
        Assert.Equal(CaptureReaderTests.TsharkFrameNumbers, lines.Where(f => f[1].Length > 0).Select(f => long.Parse(f[0])));
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"], lines.Where(f => f[1].Length > 0).Select(f => f[1]));
        Assert.Equal(11, lines.Count); // every frame tshark shows, the seven without a packet too
    }
}
