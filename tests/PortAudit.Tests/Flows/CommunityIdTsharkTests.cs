using PortAudit.Flows;
using PortAudit.Tests.Live;

namespace PortAudit.Tests.Flows;

/// <summary>
/// Our flows' Community IDs against those Wireshark's communityid post-dissector gives the packets of the same captures.
/// The captures cover TCP and UDP over IPv4 and IPv6, ICMP (echo, destination unreachable), ICMPv6, ESP and tunnels
/// (GRE, 6in4: both sides hash the inner packet). Captures with IP fragments are left out: tshark hashes a fragment
/// that it did not reassemble without ports, where we count it in the flow of its first fragment.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class CommunityIdTsharkTests
{
    private static readonly string[] Captures =
    [
        "kerberos.pcap", "KakaoTalk_chat.pcap", "stun.pcap", "6in4tunnel.pcap", "gre.pcapng", "esp.pcapng",
        "zeek-icmp-icmp-destunreach-ip.pcap",
    ];

    [NeedsProgramFact("tshark", shared: "captures")]
    public void Every_flow_has_the_id_tshark_gives_its_packets()
    {
        int compared = 0;
        foreach (var capture in Captures)
        {
            string path = SharedData.Path("captures/" + capture)!;
            var ours = FlowRunner.Run(path).Flows.Select(flow => CommunityId.Of(flow)).ToHashSet();
            var theirs = External.Run("tshark", "-r", path, "--enable-protocol", "communityid", "-T", "fields", "-e", "communityid")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            Assert.True(ours.SetEquals(theirs),
                $"{capture}: ours only [{string.Join(' ', ours.Except(theirs))}] tshark only [{string.Join(' ', theirs.Except(ours))}]");
            compared += ours.Count;
        }
        Assert.True(compared > 80, $"only {compared} ids compared");
    }
}
