using PortAudit.Audit;
using PortAudit.Tests.Flows;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Audit;

/// <summary>
/// The packets an audit says it read, and those it says carry no IP, against tshark's count of the same captures' frames
/// and of those with neither an IPv4 nor an IPv6 layer (ARP, spanning tree, LLDP, LLC): the real captures of ../shared
/// that hold frames of other protocols.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class PacketCountsTsharkTests
{
    // base.pcap also holds 12 Cisco FabricPath frames (Ethernet type 0x8903), copies of packets of one conversation the
    // capture holds as they were outside the fabric, the same IP ids and sequence numbers. The decoder leaves them
    // unopened, as frames without IP: opening them would count that conversation's packets twice until copies are told
    // from originals. tshark is asked not to open them either.
    private static readonly string[] Captures =
    [
        "captures/jabber.pcap", "captures-extra/sv-dcerpc-udp-ics.pcap", "captures-extra/zeek-raw_packets.pcap",
        "captures-extra/hc-wmiexec.pcapng", "bench/base.pcap",
    ];

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void Packets_read_and_not_ip_are_tsharks_frames_and_frames_without_ip()
    {
        foreach (var capture in Captures)
        {
            string path = SharedData.Path(capture)!;
            var packets = PacketCounts.Of(FlowRunner.Run(path).Reader.Statistics);

            int frames = Lines(External.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.number"));
            // A frame shorter than an Ethernet header is cut inside it: truncated to us, a frame without IP to tshark.
            int withoutIp = Lines(External.Run("tshark", "-r", path, "--disable-protocol", "cfp",
                "-Y", "not ip and not ipv6 and frame.cap_len >= 14", "-T", "fields", "-e", "frame.number"));
            Assert.True(frames == packets.Read, $"{capture}: {packets.Read} read, tshark {frames} frames");
            Assert.True(withoutIp == packets.NotIp, $"{capture}: {packets.NotIp} not IP, tshark {withoutIp} frames without IP");
            Assert.True(packets.NotIp > 0, $"{capture} holds frames without IP");
        }
    }

    private static int Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}
